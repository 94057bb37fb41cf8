from __future__ import annotations

import pytest

from bot.journey.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wie zufrieden sind eure Kunden mit dem Produkt?", "de"),
        ("Grüezi, ich hätte gern ein Angebot", "de"),
        ("koennen sie mir bitte helfen", "de"),
        ("What do other customers say about you?", "en"),
        ("can someone call me back please", "en"),
        ("sense or business, whats the diff", "en"),
        ("Home oder Business, Unterschied?", "de"),
        ("Ja, ich bin einverstanden.", "de"),
        ("Yes, that's fine.", "en"),
    ],
)
def test_clear_messages_are_recognised(text: str, expected: str) -> None:
    assert detect_language(text, previous=None) == expected


@pytest.mark.parametrize(
    "text", ["Claire Dubois, Dubois Consulting SARL, claire@dubois.example", "ok", "/affirm", "Wattwerk Sense", ""]
)
def test_undecided_messages_keep_the_visitors_language(text: str) -> None:
    assert detect_language(text, previous="en") == "en"
    assert detect_language(text, previous="de") == "de"


def test_undecided_first_message_uses_the_default() -> None:
    assert detect_language("Wattwerk?", previous=None) == "de"
    assert detect_language("Wattwerk?", previous=None, default="en") == "en"
