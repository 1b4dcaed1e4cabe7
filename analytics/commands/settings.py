"""settings [KEY VALUE]: show every setting, or set one."""
from __future__ import annotations

import json

from analytics import activity, cli, i18n, settings, store


def register(subparsers) -> None:
    parser = subparsers.add_parser("settings", help="show or set global settings",
                                   description="Without arguments, list every setting with its value and help. "
                                               "With KEY VALUE, validate and store one setting "
                                               "(the app reads the same values).")
    parser.add_argument("key", nargs="?")
    parser.add_argument("value", nargs="?")
    parser.add_argument("--json", action="store_true", help="machine-readable listing")
    cli.add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    con = store.connect(args.db, read_only=args.value is None and store.db_path(args.db).exists())
    if args.key and args.value is None:
        try:
            print(settings.get_raw(con, args.key))
        except settings.SettingError as exc:
            cli.error(exc)
            return 2
        return 0
    if args.key:
        try:
            settings.set_value(con, args.key, args.value)
        except settings.SettingError as exc:
            cli.error(exc)
            return 1
        activity.record(con, activity.os_actor(), "settings", f"{args.key} = {settings.get_raw(con, args.key)}")
        print(f"{args.key} = {settings.get_raw(con, args.key)}")
        return 0
    values = settings.as_dict(con)
    if args.json:
        print(json.dumps(values, indent=2))
        return 0
    for setting in settings.all_settings():
        print(f"{setting.name} = {values[setting.name]}\n    "
              + i18n.t("{help} (default: {default})", help=setting.help, default=setting.default))
    return 0
