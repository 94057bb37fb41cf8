"""The brief a salesperson reads: plain text for e-mail and chat webhooks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from bot.journey.explain import explanation_lines
from bot.journey.touchpoint import page_context
from bot.privacy.records import EVENTS

LABELS = {
    "phase": {"awareness": "Wahrnehmung", "consideration": "Überlegung", "decision": "Entscheidung",
              "retention": "Bindung", "advocacy": "Weiterempfehlung"},
    "persona": {"skeptic": "Skeptiker (will Belege)", "experience_seeker": "Erlebnissucher",
                "influencer": "Beeinflusser (muss Chef überzeugen)", "budget_owner": "Budgetverantwortlich",
                "technical": "Technik-Entscheider"},
}  # fmt: skip


#: what a handoff of each kind is called (subject line, inbox)
KIND_NAMES = {"sales": "Anfrage", "support": "Support-Rückruf", "upsell": "Erweiterung (Bestandskunde)"}


def subject(handoff: Mapping[str, Any]) -> str:
    company = f", {handoff['company']}" if handoff.get("company") else ""
    kind = handoff.get("kind") or "sales"
    title = "Neue Anfrage" if kind == "sales" else KIND_NAMES.get(kind, kind)
    return f"{title} #{handoff['id']}: {handoff['name'] or '(ohne Namen)'}{company}"


def brief_text(handoff: Mapping[str, Any], inbox_url: str | None = None, reader_language: str = "de") -> str:
    """Who, how to reach them, what they want and what the bot learned, and why (in the reader's language)
    — then the transcript."""
    h = handoff
    roi = h.get("roi") or {}
    lines = [
        subject(h),
        "",
        f"Kontakt: {h['name'] or '(ohne Namen)'}" + (f" ({h['company']})" if h.get("company") else ""),
        f"E-Mail: {h.get('email') or '–'}   Telefon: {h.get('phone') or '–'}",
        f"Rückruf gewünscht: {h.get('callback_time') or 'keine Angabe'}",
        f"Sprache: {h.get('language')}   Zuständig: {h.get('assignee') or 'NICHT ZUGEWIESEN'}",
        f"Phase: {LABELS['phase'].get(h.get('phase') or '', h.get('phase') or '–')}   "
        f"Persona: {LABELS['persona'].get(h.get('persona') or '', h.get('persona') or '–')}   "
        f"Segment: {h.get('segment') or '–'}   Teamgröße: {h.get('company_size') or '–'}",
        f"Gefunden über: {h.get('touchpoint') or '–'}",
        f"Produkte angesehen: {', '.join(h.get('products_shown') or []) or '–'}",
    ]
    said = [t.get("text") or "" for t in h.get("transcript") or [] if t.get("from") == "visitor"]
    why = explanation_lines(h.get("journey_explanation"), reader_language, said)
    if why:
        lines += ["", "Why the bot thinks so:" if reader_language == "en" else "Warum der Bot das annimmt:"]
        lines += [f"- {line}" for line in why]
    if roi:
        lines.append(
            f"ROI-Rechnung ({roi.get('product')}, {roi.get('plan')}): "
            f"{roi.get('annual_savings_eur')} € Einsparung/Jahr, "
            f"Amortisation {roi.get('payback_months') or 'nie'} Monate, TCO 3 Jahre {roi.get('tco_3y_eur')} €"
        )
    if h.get("questions"):
        lines += ["", "Fragen des Besuchers:", *(f"- {q}" for q in h["questions"])]
    if inbox_url:
        lines += ["", f"Im Sales-Postfach: {inbox_url}/handoffs/{h['id']}"]
    lines += ["", "Gesprächsverlauf:"]
    lines += [
        f"{'Besucher' if t.get('from') == 'visitor' else 'Bot'}: {t.get('text')}" for t in h.get("transcript") or []
    ]
    return "\n".join(lines)


def pages_viewed(session_factory: sessionmaker, conversation_id: str, limit: int = 20) -> list[str]:
    """The website pages the visitor wrote from or opened while the chat was on, in order, each once (their titles,
    else their paths), from the page context the widget sends with every message."""
    with session_factory() as session:
        rows = session.execute(
            sa.select(EVENTS.c.data).where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name == "user")
            .order_by(EVENTS.c.id)
        ).scalars()  # fmt: skip
        seen: list[str] = []
        for data in rows:
            try:
                page = page_context(json.loads(data).get("metadata"))
            except (ValueError, AttributeError):
                continue
            shown = str(page.get("title") or page.get("path") or "").strip()
            if shown and shown not in seen:
                seen.append(shown)
                if len(seen) >= limit:
                    break
    return seen
