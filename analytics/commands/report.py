"""report monthly|annual: the Excel report packs (budget vs actual, variance drivers, top vendors, ...)."""
from __future__ import annotations


from analytics import calendar, cli, i18n
from analytics import store


def register(subparsers) -> None:
    parser = subparsers.add_parser("report", help="write the monthly or annual Excel report pack, or the PDF board pack",
                                   description="Write a finance-formatted Excel workbook in the reporting currency.")
    kinds = parser.add_subparsers(dest="kind", metavar="KIND")
    month = kinds.add_parser("monthly", help="the pack for one closed month",
                             description="Summary, budget vs actual by cost center and category, variance "
                                         "drivers, fx, top vendors and the other domains' sections.")
    month.add_argument("--period", metavar="YYYY-MM", required=True, help="a closed month")
    annual = kinds.add_parser("annual", help="one fiscal year with month columns and year totals")
    annual.add_argument("--year", metavar="YYYY", type=int, required=True, help="fiscal year (named by its end)")
    board = kinds.add_parser("board", help="the PDF board pack for one closed month",
                             description="A summary in sentences, budget vs actual, the landing with intervals, "
                                         "top risks and the vendor ranking, as a PDF with vector charts.")
    board.add_argument("--period", metavar="YYYY-MM", required=True, help="a closed month")
    board.add_argument("--out", metavar="FILE.pdf", required=True)
    cli.add_db_argument(board)
    board.set_defaults(func=run, version=None)
    for sub in (month, annual):
        sub.add_argument("--out", metavar="FILE.xlsx", required=True)
        sub.add_argument("--version", help="budget version (default: original)")
        cli.add_db_argument(sub)
        sub.set_defaults(func=run)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def run(args) -> int:
    from analytics.reports import annual, board, monthly
    suffix = ".pdf" if args.kind == "board" else ".xlsx"
    if not args.out.lower().endswith(suffix):
        cli.error(i18n.t("--out must name a {suffix} file", suffix=suffix))
        return 2
    con = store.connect(args.db, read_only=True)
    try:
        if args.kind == "board":
            out = board.write(con, period=args.period, out=args.out)
        elif args.kind == "monthly":
            out = monthly.write(con, period=args.period, out=args.out, version=args.version)
        else:
            out = annual.write(con, year=args.year, out=args.out, version=args.version)
    except calendar.PeriodError as exc:
        cli.error(exc)
        return 1
    print(i18n.t("wrote {file}", file=out))
    return 0
