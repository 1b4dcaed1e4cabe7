"""users add|set|list|remove|token|activity: the accounts of a shared installation, and the activity log."""
from __future__ import annotations

import json
import sys

from analytics import accounts, activity, cli, i18n, store

LANGUAGE_HELP = (f"the person's own language: {', '.join(i18n.LANGUAGES)}, or 'company' for the company's "
                 "(the `language` setting)")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "users", help="accounts, roles and API tokens (sign-in for a shared installation)",
        description="Once an account exists, every visitor of the app signs in and every API call needs a token. "
                    f"Roles: {', '.join(accounts.ROLES)} (each may do what the one before it may, and more).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    add = actions.add_parser("add", help="create an account", description="Create an account; the password is read "
                             "from standard input (echo ... | or a prompt-free pipe), never from the command line.")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--cost-centers", metavar="A,B", default="",
                     help="limit the account to these cost centers (default: every one)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input (without it: an API-token-only account)")
    add.add_argument("--language", metavar="CODE", help=LANGUAGE_HELP)
    change = actions.add_parser("set", help="change an account's own language",
                                description="Change what a person may set for themselves in the app's sidebar.")
    change.add_argument("name")
    change.add_argument("--language", metavar="CODE", required=True, help=LANGUAGE_HELP)
    listing = actions.add_parser("list", help="the accounts")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    remove = actions.add_parser("remove", help="delete an account and its token")
    remove.add_argument("name")
    token = actions.add_parser("token", help="print a new API token for an account (replaces its previous one)")
    token.add_argument("name")
    log = actions.add_parser("activity", help="the activity log: who changed what, when (newest first)")
    log.add_argument("--limit", type=cli.positive_int, default=50)
    log.add_argument("--json", action="store_true", help="machine-readable output")
    for sub in (add, change, listing, remove, token, log):
        cli.add_db_argument(sub)
        sub.set_defaults(func=run)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def read_password(args) -> str | None:
    if not args.password_stdin:
        return None
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def print_listing(rows: list[dict], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        print("no accounts: the app is open to anyone who reaches it (on 127.0.0.1, this machine)")
    for r in rows:
        scope = ", ".join(r["cost_centers"]) or "every cost center"
        how = " + ".join(k for k, v in (("password", r["has_password"]), ("token", r["has_token"])) if v) or "no sign-in"
        language = r.get("language") or "company"
        print(f"{r['name']:<24} {r['role']:<8} {scope:<40} {language:<8} {how}")


def print_changed(user: accounts.User) -> None:
    print(f"{user.name}: language {user.language or 'of the company (the language setting)'}")


def print_activity(rows: list[dict], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        print(f"{r['logged_at']}  {r['actor']:<20} {r['action']:<12} {r['detail']}")


def run(args) -> int:
    con = store.connect(args.db)
    actor = activity.os_actor()
    try:
        if args.action == "add":
            password = read_password(args)
            user = accounts.add(con, args.name, role=args.role, password=password,
                                cost_centers=accounts.parse_cost_centers(args.cost_centers), actor=actor,
                                language=args.language)
            print(f"added {user.name} ({user.role})")
        elif args.action == "set":
            print_changed(accounts.set_language(con, args.name, args.language, actor=actor))
        elif args.action == "list":
            print_listing(accounts.listing(con), args.json)
        elif args.action == "remove":
            accounts.remove(con, args.name, actor=actor)
            print(f"removed {args.name}")
        elif args.action == "token":
            print(accounts.issue_token(con, args.name, actor=actor))
        else:
            print_activity(activity.recent_records(con, limit=args.limit), args.json)
    except accounts.AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0
