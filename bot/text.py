"""Small text helpers shared by language detection, keyword evidence and question routing."""

from __future__ import annotations

import re

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def normalize(text: str) -> str:
    """Lower-case and spell umlauts out, so 'Geschäftsführung' and 'Geschaeftsfuehrung' agree."""
    return text.lower().translate(_UMLAUTS)


def words(text: str) -> list[str]:
    """The words of a text after `normalize`, without e-mail addresses and links."""
    return _WORD.findall(normalize(" ".join(_without_address(token) for token in text.split())))


#: where a link starts inside a whitespace-separated token
_LINK = re.compile(r"https?://|www\.")


def _without_address(token: str) -> str:
    """The token without an e-mail address (the whole token) or a link (from where it starts). Token by token, in
    linear time: a pattern like `\\S+@\\S+` over the whole text takes seconds on 50,000 characters without a space."""
    if "@" in token:
        return ""
    link = _LINK.search(token)
    return token[: link.start()] if link else token


# Characters that start Markdown links, images, emphasis, code, HTML or tables in CommonMark/GFM
# (the widget renders bot messages as Markdown); a backslash makes each one a literal character.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def markdown_literal(text: str) -> str:
    """Visitor-provided text to repeat inside a bot message: shown as typed, never as a link,
    image or formatting; line breaks become spaces."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


#: how a question starts or what it contains (both languages), besides a question mark
_QUESTION = re.compile(
    r"\?|^\s*(?:und\s+|and\s+|but\s+|aber\s+)?(?:wie|was|wo|wann|welche[rsnm]?|warum|wieso|kann|können|könnt|"
    r"gibt|geht|ist|sind|hat|habt|brauch\w*|muss|müssen|darf|how|what|where|when|which|why|can|could|do|does|"
    r"is|are|will|would|should|need)\b|\b(?:how does|how do|wie funktioniert|wie läuft)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """True when the message asks something (`wie läuft die Montage`, `does it do MQTT?`)."""
    return bool(_QUESTION.search(text))


_CLAUSE_BREAK = re.compile(r"(?<=[.,;:!?])\s+|\s+(?:und|and|but|aber|oder|or)\s+(?=\w+\s)")


def clauses(text: str) -> list[str]:
    """The message split at punctuation and at "und", "and", "but", "aber", "oder", "or"."""
    return [c.strip() for c in _CLAUSE_BREAK.split(text) if c.strip()]


#: a requirement stated as a statement ("We need SAP export", "wir brauchen SSO") asks whether we have it
_REQUIREMENT = re.compile(r"\b(?:we|i|wir|ich)\s+(?:(?:really|also|definitely|auch|unbedingt)\s+)?(?:need|require|"
                          r"must have|brauchen|brauche|benötigen|benötige)\b", re.IGNORECASE)  # fmt: skip


_NO_FEATURE = re.compile(r"\d|\b(?:it|them|this|that|something|anything|some|one|a|an|more|help|es|das|dies\w*|"
                         r"etwas|was|sowas|so was|ein|eine|einen|mehr|hilfe)$", re.IGNORECASE)  # fmt: skip


def _states_requirement(clause: str) -> bool:
    """`We need SAP export`, `wir brauchen SSO`: a feature after the verb, not a count or a pronoun ("we need 12
    sensors", "I need something for my flat", "we also need it for our bakeries")."""
    match = _REQUIREMENT.search(clause)
    if match is None or re.search(r"\d", clause):
        return False
    following = clause[match.end() :].split()
    return bool(following) and not _NO_FEATURE.search(following[0])


def question_part(text: str) -> str | None:
    """The clauses of a message that ask something (`… 6 sensors on our compressors, who installs them?` ->
    `who installs them?`, `Retail group, 60 stores. We need SAP export` -> `We need SAP export`), so that the
    statement around them does not dilute the search; None: no question."""
    asked = [c for c in clauses(text) if is_question(c) or _states_requirement(c)]
    return " ".join(asked) if asked else None
