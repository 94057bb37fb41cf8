"""The first touchpoint, from what the website widget sends with a message."""

from __future__ import annotations

import pytest

from bot.journey.touchpoint import page_context, touchpoint


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"utm": {"source": "google", "medium": "cpc", "campaign": "winter"}}, "ad"),
        ({"utm": {"source": "linkedin"}}, "social"),
        ({"utm": {"source": "newsletter", "medium": "email", "campaign": "nov"}}, "campaign"),
        ({"referrer": "https://www.google.de/"}, "search"),
        ({"referrer": "https://www.instagram.com/wattwerk"}, "social"),
        ({"referrer": "https://energie-blog.example/test-wattwerk"}, "referral"),
        ({"referrer": "https://wattwerk.example/preise"}, "direct"),
        ({}, "direct"),
    ],
)
def test_touchpoint(context: dict, expected: str) -> None:
    assert touchpoint(context, own_host="wattwerk.example") == expected


def test_page_context_accepts_both_shapes() -> None:
    assert page_context({"page": {"path": "/preise"}}) == {"path": "/preise"}
    assert page_context({"path": "/preise"}) == {"path": "/preise"}
    assert page_context(None) == {}
    assert page_context({"model_id": "abc", "assistant_id": "journey-bot"}) == {}
