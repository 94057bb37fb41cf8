"""The journey dashboard (`/dashboard`) for accounts with the role `marketing` (or `admin`): for a period and a
language, the funnel, the phase changes, personas and segments, the first touchpoint against handoffs, the handoffs
and the time to the first claim, what the bot did not understand and the most asked questions per phase.

The figures are bot/analytics/report.py's (the same as `python -m bot.analytics report`), computed in SQL from the
tables the worker keeps up to date; the charts are drawn in the browser by Chart.js (pinned in
website/package-lock.json) from the figures embedded in the page as JSON, each with its numbers as a table and as a
CSV download (`/dashboard.csv?figure=…`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from functools import cache
from typing import Any

from jinja2 import Environment
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from bot.analytics.report import Period, report, to_csv
from bot.sales.accounts import SignedIn
from bot.sales.models import STATUSES
from bot.web.jinja import environment
from bot.web.signin import current_user, message_page, services_of

#: the period shown when none is chosen, in days up to today
DAYS = 30
LANGUAGES = {"": "Alle Sprachen", "de": "Deutsch", "en": "Englisch"}


@cache
def _environment() -> Environment:
    return environment()


def marketer(request: Request) -> tuple[SignedIn | None, HTTPResponse | None]:
    user = current_user(request)
    if user is None:
        return None, redirect("/login")
    if not user.may("marketing"):
        return None, message_page("Kein Zugriff", "Dieses Konto ist nicht für das Journey-Dashboard freigegeben "
                                  "(Rolle marketing).", user, 403)  # fmt: skip
    return user, None


def chosen_period(request: Request, today: dt.date) -> tuple[Period, dict[str, str], list[str]]:
    """The period and language asked for (the last DAYS days by default); problems for values that are no dates."""
    problems: list[str] = []

    def day(name: str, default: dt.date) -> dt.date:
        raw = (request.args.get(name) or "").strip()
        if not raw:
            return default
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            problems.append(f"„{raw}“ ist kein Datum (JJJJ-MM-TT); gezeigt wird der Standardzeitraum.")
            return default

    until = day("until", today)
    since = day("since", until - dt.timedelta(days=DAYS - 1))
    if since > until:
        problems.append("Der Beginn lag nach dem Ende; die beiden Daten sind getauscht.")
        since, until = until, since
    language = request.args.get("language") or ""
    if language not in LANGUAGES:
        language = ""
    shown = {"since": since.isoformat(), "until": until.isoformat(), "language": language}
    return Period.days(since, until, language or None), shown, problems


def render_dashboard(user: SignedIn, figures: dict[str, Any], shown: dict[str, str], problems: list[str]) -> str:
    """The page for these figures (also what `make bench-dashboard` times)."""
    # inside <script>: a visitor's text can never end the element or open a comment
    data = json.dumps(figures, default=str).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _environment().get_template("dashboard/page.html").render(
        user=user, title="Journey-Dashboard", figures=figures, shown=shown, problems=problems, languages=LANGUAGES,
        query=_query(shown), data=data, rows=_rows(figures),
        handoff_head=["Art", *STATUSES, "Median bis zur Übernahme"])  # fmt: skip


def dashboard_blueprint() -> Blueprint:
    bp = Blueprint("dashboard")

    @bp.get("/dashboard")
    async def dashboard(request: Request) -> HTTPResponse:
        user, refused = marketer(request)
        if user is None:
            return refused  # type: ignore[return-value]
        services = services_of(request)
        period, shown, problems = chosen_period(request, services.now().date())
        figures = await _figures(services, period)
        return html(render_dashboard(user, figures, shown, problems), headers={"Cache-Control": "no-store"})

    @bp.get("/dashboard.csv")
    async def download(request: Request) -> HTTPResponse:
        user, refused = marketer(request)
        if user is None:
            return refused  # type: ignore[return-value]
        services = services_of(request)
        period, shown, _ = chosen_period(request, services.now().date())
        figures = await _figures(services, period)
        wanted = request.args.get("figure") or ""
        name = f"journey-{wanted or 'alle'}-{shown['since']}-{shown['until']}.csv"
        return HTTPResponse(to_csv(figures, wanted), content_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}"',
                                     "Cache-Control": "no-store"})  # fmt: skip

    return bp


async def _figures(services: Any, period: Period) -> dict[str, Any]:
    """The report, computed in a worker thread: the web app keeps answering meanwhile."""
    engine = services.session_factory.kw["bind"]
    return await asyncio.get_running_loop().run_in_executor(None, report, engine, period)


#: the handoff kinds as the dashboard names them
KIND_LABELS = {"sales": "Vertrieb", "support": "Support", "upsell": "Erweiterung"}


def _minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} min"


def _rows(figures: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """The tables under the charts whose rows are not a figure's items as they are."""
    handoffs = figures["handoffs"]
    return {
        "transitions": [(move["from"] or "Beginn", move["to"], move["count"]) for move in figures["transitions"]],
        "touchpoints": [
            (t["touchpoint"] or "unbekannt", t["conversations"], t["handoffs"], f"{t['conversion'] * 100:.1f} %")
            for t in figures["touchpoints"]
        ],
        "nps": [
            (w["week"], w["answers"], w["promoters"], w["passives"], w["detractors"], w["score"])
            for w in figures["nps"]["weeks"]
        ],
        "handoffs": [
            (
                KIND_LABELS.get(kind, kind),
                *(counts.get(status, 0) for status in STATUSES),
                _minutes(handoffs["median_minutes_to_claim_by_kind"].get(kind)),
            )
            for kind, counts in handoffs["by_kind_status"].items()
        ],
    }


def _query(shown: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode({key: value for key, value in shown.items() if value})
