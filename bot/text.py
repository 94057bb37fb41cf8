"""Small text helpers shared by language detection and keyword evidence."""

from __future__ import annotations

import re

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def normalize(text: str) -> str:
    """Lower-case and spell umlauts out, so 'Geschäftsführung' and 'Geschaeftsfuehrung' agree."""
    return text.lower().translate(_UMLAUTS)


def words(text: str) -> list[str]:
    """The words of a text after `normalize`, without e-mail addresses and links."""
    text = re.sub(r"\S+@\S+|https?://\S+|www\.\S+", " ", text)
    return _WORD.findall(normalize(text))
