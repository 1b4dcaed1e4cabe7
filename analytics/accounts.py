"""Accounts for a shared installation: roles, passwords (argon2id), API tokens, cost-center scope.

With no account (and no OIDC), the app is a local tool as before: a visitor on the machine is `LOCAL`, with
every right. Once an account exists, every visitor signs in and every API call carries a token.

Roles are ordered: each one may do what the one before it may, and more (ACTIONS says what each adds).
A user limited to cost centers (`cost_centers` not empty) sees only those cost centers' lines and totals.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from analytics import activity, i18n, store

ROLES = ("viewer", "analyst", "editor", "admin")

# action -> the least role allowed to do it
ACTIONS = {
    "read": "viewer",           # pages, packs, metrics, status, exports
    "scenario": "analyst",      # forecast what-if scenarios
    "review": "analyst",        # cost-audit reviews (confirm, dismiss, resolve)
    "budget_draft": "analyst",  # next year's budget draft saved as a version
    "import": "editor",         # imports, mapping profiles and links
    "undo": "editor",
    "budget_edit": "editor",
    "contracts": "editor",      # acknowledge renewal alerts
    "settings": "admin",        # settings, scorecard weights
    "users": "admin",           # accounts, tokens, the activity log
}

NAME_PATTERN = "letters, digits, dot, dash, underscore, @"
MIN_PASSWORD = 8
TOKEN_PREFIX = "outlay_"
SESSION_HOURS = 8  # a page session signs in again after this many hours

_HASHER = PasswordHasher()  # argon2id with the library's defaults (RFC 9106 low-memory profile)


class AccountError(ValueError):
    """An account name, role, password or cost center that is not allowed."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    cost_centers: tuple[str, ...] = ()
    language: str | None = None  # their own language (analytics.i18n.language_for); None: the company's

    @property
    def scoped(self) -> bool:
        """True when the user sees only some cost centers (no company-wide figures)."""
        return bool(self.cost_centers)

    def can(self, action: str) -> bool:
        return can(self.role, action)


LOCAL = User("local", "admin")  # the visitor of an installation without accounts


def can(role: str, action: str) -> bool:
    """Whether `role` may do `action` (an ACTIONS key)."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    return ROLES.index(role) >= ROLES.index(ACTIONS[action])


def least_role(action: str) -> str:
    return ACTIONS[action]


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a plain sha256 is enough to store them (no need for a slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-@" for c in name):
        raise AccountError(f"{name!r} is not an account name (1-64 characters: {NAME_PATTERN})")
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"{role!r} is not a role; roles: {', '.join(ROLES)}")
    return role


def _check_language(language: str | None) -> str | None:
    if not language or language.strip().lower() in ("", "company"):
        return None
    try:
        return i18n.parse_language(language)
    except i18n.LanguageError as exc:
        raise AccountError(str(exc)) from None


def parse_cost_centers(text: str | None) -> tuple[str, ...]:
    """'A, B' -> ('A', 'B'); empty -> () (every cost center)."""
    return tuple(sorted({part.strip() for part in (text or "").split(",") if part.strip()}))


def any_accounts(con) -> bool:
    return bool(con.execute("select count(*) from users").fetchone()[0])


def add(con, name: str, *, role: str, password: str | None, cost_centers: tuple[str, ...] = (),
        actor: str, language: str | None = None) -> User:
    """Create an account; refuses a name in use, an unknown role, cost center or language, a short password."""
    name, role, language = _check_name(name), _check_role(role), _check_language(language)
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if con.execute("select count(*) from users where name = ?", [name]).fetchone()[0]:
        raise AccountError(f"an account {name!r} exists already (remove it first to change it)")
    known = {r[0] for r in con.execute("select distinct cost_center from spend union "
                                       "select distinct cost_center from budget").fetchall()}
    unknown = [c for c in cost_centers if c not in known]
    if unknown and known:
        raise AccountError(f"unknown cost center(s): {', '.join(unknown)}; known: {', '.join(sorted(known)[:20])}")
    with store.transaction(con, changes_data=False):
        con.execute("insert into users (name, role, cost_centers, password_hash, created_at, language) "
                    "values (?, ?, ?, ?, ?, ?)",
                    [name, role, list(cost_centers), hash_password(password) if password else None, _now(), language])
        activity.record(con, actor, "users", f"added {name} ({role}"
                        + (f", cost centers {', '.join(cost_centers)}" if cost_centers else "")
                        + (f", language {language}" if language else "") + ")")
    return User(name, role, tuple(cost_centers), language)


def set_language(con, name: str, language: str | None, *, actor: str) -> User:
    """Set the account's own language (None or '': the company's `language` setting again)."""
    language = _check_language(language)
    if get(con, name) is None:
        raise AccountError(f"no account {name!r}")
    with store.transaction(con, changes_data=False):
        con.execute("update users set language = ? where name = ?", [language, name])
        activity.record(con, actor, "users", f"language of {name}: {language or 'the company setting'}")
    return get(con, name)


def remove(con, name: str, *, actor: str) -> None:
    """Delete an account, its token and its browser sessions; the last admin stays while other accounts exist (someone must be able
    to manage them)."""
    user = get(con, name)
    if user is None:
        raise AccountError(f"no account {name!r}")
    admins, others = con.execute("select count(*) filter (where role = 'admin'), count(*) filter (where role <> "
                                 "'admin') from users").fetchone()
    if user.role == "admin" and admins == 1 and others:
        raise AccountError(f"{name} is the last admin: add another admin first, or remove the other accounts")
    with store.transaction(con, changes_data=False):
        con.execute("delete from api_tokens where user_name = ?", [name])
        con.execute("delete from sessions where user_name = ?", [name])  # signed-in browsers are signed out
        con.execute("delete from users where name = ?", [name])
        activity.record(con, actor, "users", f"removed {name}")


def issue_token(con, name: str, *, actor: str) -> str:
    """A new API token for the account (replacing its previous one); only its hash is stored."""
    if get(con, name) is None:
        raise AccountError(f"no account {name!r}")
    token = new_token()
    with store.transaction(con, changes_data=False):
        con.execute("delete from api_tokens where user_name = ?", [name])
        con.execute("insert into api_tokens values (?, ?, ?)", [token_hash(token), name, _now()])
        activity.record(con, actor, "users", f"new API token for {name}")
    return token


def get(con, name: str) -> User | None:
    rows = con.execute("select name, role, cost_centers, language from users where name = ?", [name]).fetchall()
    return User(rows[0][0], rows[0][1], tuple(rows[0][2] or ()), rows[0][3]) if rows else None


def listing(con) -> list[dict]:
    """One dict per account: name, role, cost_centers, language (None: the company's), has_password, has_token,
    created_at (ISO)."""
    rows = con.execute(
        "select u.name, u.role, u.cost_centers, u.language, u.password_hash is not null, "
        "exists (select 1 from api_tokens t where t.user_name = u.name), strftime(u.created_at, '%Y-%m-%dT%H:%M:%S') "
        "from users u order by u.name").fetchall()
    return [{"name": n, "role": r, "cost_centers": list(c or []), "language": lang, "has_password": bool(p),
             "has_token": bool(t), "created_at": at} for n, r, c, lang, p, t, at in rows]


def sign_in(con, name: str, password: str) -> User | None:
    """The account when the password matches, else None (the same answer for an unknown name)."""
    rows = con.execute("select password_hash from users where name = ?", [(name or "").strip()]).fetchall()
    if not rows:
        _HASHER.hash(password or "")  # spend the same time as a real check, so names cannot be probed
        return None
    return get(con, name.strip()) if password_matches(rows[0][0], password or "") else None


def by_token(con, token: str) -> User | None:
    rows = con.execute("select user_name from api_tokens where token_hash = ?", [token_hash(token)]).fetchall()
    return get(con, rows[0][0]) if rows else None


def session_expired(signed_in_at: dt.datetime, now: dt.datetime | None = None) -> bool:
    return (now or _now()) - signed_in_at >= dt.timedelta(hours=SESSION_HOURS)


def scope_cost_center(user: User, asked: str | None) -> str | None:
    """The cost-center filter a user's question runs with: theirs when they are limited to one, the one asked
    when it is theirs; refuses one outside their scope, or none when they have several."""
    if not user.scoped:
        return asked
    if asked:
        if asked not in user.cost_centers:
            raise ScopeError(f"{user.name} may see cost centers {', '.join(user.cost_centers)} only, not {asked!r}")
        return asked
    if len(user.cost_centers) == 1:
        return user.cost_centers[0]
    raise ScopeError(f"{user.name} sees several cost centers: name one ({', '.join(user.cost_centers)})")


class ScopeError(PermissionError):
    """A question outside the user's cost centers (or a company-wide one from a limited user)."""


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
