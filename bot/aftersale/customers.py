"""Recognising an existing customer in the chat (issue 16), and when to ask them the NPS question.

A visitor is a customer when they write from the customer-area pages of the site (data/website/site.yml, page
`customer_area`), when what they say puts them in retention or advocacy (they use the product: support, invoice,
contract, praise; bot/journey/), or when they give a customer number ("KD-104233", "Kundennummer 104233",
"customer no. 104233"). The number is not checked against a customer database (there is none to ask): it only
keys the "once per period" of the NPS question and the referral code.

    customer_number("meine Kundennummer ist 104233") == "KD-104233"
    customer_number("KD 104233, die App geht nicht") == "KD-104233"
    customer_number("wir sind 104233 Leute") is None
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import sessionmaker

from bot.aftersale.nps import asked_recently
from bot.website import Site

#: the site.yml page key of the customer area
CUSTOMER_AREA = "customer_area"
#: phases only a customer is in
CUSTOMER_PHASES = frozenset({"retention", "advocacy"})
_NUMBER = re.compile(
    r"(?:\bkd\s*[-.:#]?\s*|\bkunden\s*-?\s*(?:nummer|nr\.?)\s*(?:ist|lautet|:|#)?\s*(?:kd\s*-?\s*)?|"
    r"\b(?:customer|account)\s*(?:number|no\.?|id|#)\s*(?:is|:|#)?\s*(?:kd\s*-?\s*)?)(\d{5,8})\b",
    re.IGNORECASE,
)  # fmt: skip


@dataclass(frozen=True)
class Recognition:
    customer: bool
    number: str | None = None
    #: how: "number", "customer_area" or "phase" (None: not a customer)
    how: str | None = None


def customer_number(text: str) -> str | None:
    """The customer number in a message, written as KD-<digits>; None without one."""
    match = _NUMBER.search(text or "")
    return f"KD-{match.group(1)}" if match else None


def recognise(texts: Iterable[str], pages: Iterable[Mapping[str, Any]], phase: str | None, site: Site | None,
              known: Recognition | None = None) -> Recognition:  # fmt: skip
    """Whether this conversation is an existing customer's, from everything so far (`known`: what was recognised
    before; a number given earlier is kept). A customer number and the customer area count for the whole
    conversation; the phase only while it lasts (a prospect's "does the subscription renew itself?" is a moment in
    retention, not a customer)."""
    number = next((found for found in map(customer_number, texts) if found), None) or (known and known.number)
    if number:
        return Recognition(True, number, "number")
    if site is not None:
        for page in pages:
            found = site.page_at(str(page.get("path") or "")) if page.get("path") else None
            if found is not None and found.key == CUSTOMER_AREA:
                return Recognition(True, None, CUSTOMER_AREA)
    if phase in CUSTOMER_PHASES:
        return Recognition(True, None, "phase")
    return Recognition(False)


def nps_key(number: str | None, conversation_id: str) -> str:
    """Whom an NPS answer belongs to, for "at most once per period": the customer number, else the conversation."""
    return number or conversation_id


def nps_due(session_factory: sessionmaker, key: str, asked_here: bool, now: dt.datetime, period: dt.timedelta) -> bool:
    """Whether to ask the NPS question now: not asked in this conversation, and not answered within the period."""
    return not asked_here and not asked_recently(session_factory, key, now, period)
