"""The journey figures on the command line (the same as the dashboard's), and the test database generator.

    python -m bot.analytics report [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--language de|en] [--format json|csv]
    python -m bot.analytics generate --conversations 100000 --database sqlite:///var/analytics-100k.db

`report` takes in the newest events first (bot/analytics/ingest.py); the period is the last 30 days by default, the
database DATABASE_URL's unless `--database` names another.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Sequence

from bot.analytics.report import Period, report, to_csv


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is no date like 2026-11-30") from error


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.analytics", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    shown = sub.add_parser("report", help="the dashboard's figures as JSON or CSV")
    shown.add_argument("--since", type=_day, help="first day (default: 30 days before --until)")
    shown.add_argument("--until", type=_day, help="last day (default: today, UTC)")
    shown.add_argument("--language", choices=("de", "en"))
    shown.add_argument("--format", choices=("json", "csv"), default="json")
    shown.add_argument("--database", help="a SQLAlchemy URL (default: DATABASE_URL)")
    made = sub.add_parser("generate", help="a database of made-up conversations, to measure the dashboard at scale")
    made.add_argument("--conversations", type=int, default=100_000)
    made.add_argument("--database", required=True)
    made.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from bot.db import create_tables, make_engine

    if args.command == "generate":
        engine = make_engine(args.database)
        started = time.monotonic()
        from bot.analytics.generate import generate

        generate(engine, args.conversations, seed=args.seed)
        print(f"{args.conversations} conversations in {args.database} ({time.monotonic() - started:.0f} s)",
              file=sys.stderr)  # fmt: skip
        return 0
    if args.database:
        engine = make_engine(args.database)
    else:
        from bot.config import load_settings

        engine = make_engine(load_settings().database_url)
    until = args.until or dt.datetime.now(dt.timezone.utc).date()
    since = args.since or until - dt.timedelta(days=29)
    if since > until:
        parser.error("--since is after --until")
    create_tables(engine)
    from bot.analytics.ingest import ingest

    ingest(engine)
    figures = report(engine, Period.days(since, until, args.language))
    print(json.dumps(figures, indent=2, ensure_ascii=False) if args.format == "json" else to_csv(figures), end="")
    if args.format == "json":
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
