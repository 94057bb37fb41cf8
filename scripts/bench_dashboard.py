"""How long the journey dashboard takes over a large history: a generated database (bot/analytics/generate.py) on
SQLite and on a temporary PostgreSQL server, then the dashboard page rendered as the web app renders it (the report
in SQL and the template), several times; prints the median and the slowest per database.

    .venv/bin/python scripts/bench_dashboard.py --conversations 100000

The generated SQLite file is kept under var/ and reused when it has the same size, generator and schema (generating
takes minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.analytics.generate import generate
from bot.analytics.report import Period, report
from bot.config import PROJECT_ROOT
from bot.db import make_engine
from bot.migrations import head_revision


def render(engine: object, period: Period) -> float:
    """One dashboard page: the figures and the template, as bot/web/blueprints/dashboard.py makes them."""
    from bot.sales.accounts import SignedIn
    from bot.web.blueprints.dashboard import render_dashboard

    started = time.perf_counter()
    figures = report(engine, period)  # type: ignore[arg-type]
    shown = {"since": period.since.date().isoformat(), "until": period.until.date().isoformat(), "language": ""}
    render_dashboard(SignedIn("bench", None, "token", frozenset({"marketing"})), figures, shown, [])
    return time.perf_counter() - started


def measure(name: str, url: str, conversations: int, fresh: bool, repeats: int) -> None:
    engine = make_engine(url)
    if fresh:
        started = time.monotonic()
        generate(engine, conversations)
        print(f"{name}: generated {conversations} conversations in {time.monotonic() - started:.0f} s", flush=True)
    today = dt.datetime.now(dt.timezone.utc).date()
    periods = {"90 days": Period.days(today - dt.timedelta(days=89), today),
               "30 days": Period.days(today - dt.timedelta(days=29), today),
               "90 days, German": Period.days(today - dt.timedelta(days=89), today, "de")}  # fmt: skip
    for label, period in periods.items():
        times = [render(engine, period) for _ in range(repeats)]
        print(f"{name}, {label}: median {statistics.median(times) * 1000:.0f} ms, slowest {max(times) * 1000:.0f} ms "
              f"({repeats} renders, {report(engine, period)['conversations']} conversations)", flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    # a file made by another generator or schema is made again (an old one has no handoff kinds, say)
    made_by = hashlib.sha256((PROJECT_ROOT / "bot" / "analytics" / "generate.py").read_bytes()).hexdigest()[:8]
    path = PROJECT_ROOT / "var" / f"analytics-{args.conversations}-{head_revision()}-{made_by}.db"
    fresh = not path.exists()
    for stale in (PROJECT_ROOT / "var").glob(f"analytics-{args.conversations}*.db"):
        if stale != path:
            stale.unlink()
    measure("SQLite", f"sqlite:///{path}", args.conversations, fresh, args.repeats)
    if not args.no_postgres:
        from tests.services.postgres import postgres_server

        with postgres_server() as (url, _data, _port):
            measure("PostgreSQL", url, args.conversations, True, args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
