"""Recognising an existing customer (bot/aftersale/customers.py): a customer number, the customer area, or a phase
only customers are in; once recognised, a conversation stays a customer's."""

from __future__ import annotations

import pytest

from bot.aftersale.customers import Recognition, customer_number, recognise
from bot.config import PROJECT_ROOT
from bot.website import load_site

SITE = load_site(PROJECT_ROOT / "data" / "website" / "site.yml")


@pytest.mark.parametrize(
    ("text", "number"),
    [("meine Kundennummer ist 104233", "KD-104233"), ("KD 104233, die App geht nicht", "KD-104233"),
     ("Kunden-Nr. KD-5512345", "KD-5512345"), ("my customer number is 104233", "KD-104233"),
     ("customer no. 104233 here", "KD-104233"), ("wir sind 104233 Leute", None), ("KD-12", None),
     ("ruf mich an: 0171 2345678", None)],
)  # fmt: skip
def test_a_customer_number_in_a_message(text: str, number: str | None) -> None:
    assert customer_number(text) == number


def test_a_customer_is_recognised_by_number_customer_area_or_phase() -> None:
    assert recognise(["Kundennummer 104233"], [], None, SITE) == Recognition(True, "KD-104233", "number")
    area = recognise([], [{"path": "/en/customer-area"}], "awareness", SITE)
    assert (area.customer, area.how) == (True, "customer_area")
    assert recognise(["die App geht nicht"], [{"path": "/preise"}], "retention", SITE).how == "phase"
    assert not recognise(["Was kostet das?"], [{"path": "/preise"}], "decision", SITE).customer
    earlier = Recognition(True, "KD-104233", "number")
    assert recognise(["Was kostet ein zweiter Clip?"], [], "decision", SITE, earlier) == earlier
    # a prospect who asked whether the subscription renews itself was in retention for a moment, not a customer
    assert not recognise(["Was kostet das?"], [], "decision", SITE, Recognition(True, None, "phase")).customer
