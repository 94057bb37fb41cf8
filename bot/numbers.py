"""Numbers as visitors type them: `1.200,50 €`, `1,200.50`, `20k`, `20 Tsd.`, `90 TEUR`, `15 %`, `2 Mio`, `€1.1m`,
`12 000`; and counts written as words (`twelve`, `twenty-five`, `fünfundzwanzig`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_MULTIPLIERS = {
    "k": 1_000, "tsd": 1_000, "tausend": 1_000, "thousand": 1_000, "t": 1_000, "teur": 1_000,
    "m": 1_000_000, "mio": 1_000_000, "million": 1_000_000, "millionen": 1_000_000, "mn": 1_000_000,
    "mrd": 1_000_000_000, "milliarde": 1_000_000_000, "milliarden": 1_000_000_000, "billion": 1_000_000_000,
    "bn": 1_000_000_000,
}  # fmt: skip
_NUMBER = re.compile(
    r"(?<![\d.,])(?<!\d-)(?P<sign>-)?"  # not inside a longer number or an identifier ("WW-4711-22")
    r"(?P<digits>\d{1,3}(?:[ '\u00a0\u202f]\d{3})+(?:[.,]\d+)?(?!\d)|\d[\d.,]*\d|\d)(?!\d|[.,]\d)"
    r"\s*(?P<mult>teur|k|tsd\.?|tausend|thousand|mio\.?|millionen|million|mn|m(?![²³2^])|mrd\.?|milliarden|milliarde|billion|bn)?"
    r"(?![a-zäöü])"
    r"\s*(?P<percent>%|prozent|percent)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParsedNumber:
    value: Decimal
    percent: bool = False


def _plain(digits: str) -> Decimal | None:
    digits = re.sub(r"['\s\u00a0\u202f]", "", digits)
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:  # the later separator is the decimal one
        decimal_sep = "." if digits.rfind(".") > digits.rfind(",") else ","
        thousands = "," if decimal_sep == "." else "."
        digits = digits.replace(thousands, "").replace(decimal_sep, ".")
    elif dots + commas:
        sep = "." if dots else ","
        parts = digits.split(sep)
        if len(parts) > 2 or len(parts[-1]) == 3:  # 1.200 / 1,200 / 1.200.000: thousands
            if not all(len(p) == 3 for p in parts[1:]):
                return None
            digits = "".join(parts)
        else:  # 1,5 / 3.99: decimals
            digits = digits.replace(sep, ".")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class NumberMatch:
    """A number found in a text, with where it stands (`start`/`end`, including multiplier and %)."""

    number: ParsedNumber
    start: int
    end: int


def find_numbers(text: str) -> list[NumberMatch]:
    """Every number in `text`, in German or English notation, in order."""
    found = []
    for match in _NUMBER.finditer(text or ""):
        value = _plain(match.group("digits"))
        if value is None:
            continue
        mult = (match.group("mult") or "").lower().rstrip(".")
        if mult:
            value *= _MULTIPLIERS[mult]
        if match.group("sign"):
            value = -value
        end = match.end()
        while end > match.start() and text[end - 1].isspace():
            end -= 1
        found.append(NumberMatch(ParsedNumber(value=value, percent=bool(match.group("percent"))), match.start(), end))
    return found


def parse_number(text: str) -> ParsedNumber | None:
    """The first number in `text`, in German or English notation; None if there is none."""
    found = find_numbers(text)
    return found[0].number if found else None


#: counts written as words (lower case, umlauts as in bot.text.normalize: "fuenf")
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
    "dozen": 12, "zwei": 2, "drei": 3, "vier": 4, "fuenf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
    "zehn": 10, "elf": 11, "zwoelf": 12, "dreizehn": 13, "vierzehn": 14, "fuenfzehn": 15, "sechzehn": 16,
    "siebzehn": 17, "achtzehn": 18, "neunzehn": 19, "zwanzig": 20, "dreissig": 30, "vierzig": 40,
    "fuenfzig": 50, "hundert": 100, "dutzend": 12, "beide": 2, "beiden": 2, "both": 2,
}  # fmt: skip


_UNITS = {word: value for word, value in NUMBER_WORDS.items() if 1 <= value <= 9 and word not in ("beide", "beiden",
                                                                                                   "both")}
_TENS = {word: value for word, value in NUMBER_WORDS.items() if value in (20, 30, 40, 50)} | {
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "sechzig": 60, "siebzig": 70, "achtzig": 80,
    "neunzig": 90}  # fmt: skip


def number_word(word: str) -> int | None:
    """The count a word spells (lower case, umlauts as in bot.text.normalize): "twelve", "twenty-five",
    "fuenfundzwanzig", "einundzwanzig"; None for any other word."""
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    tens, _, unit = word.partition("-")
    if unit and tens in _TENS and unit in _UNITS:
        return _TENS[tens] + _UNITS[unit]
    unit, found, tens = word.partition("und")
    ones = 1 if unit == "ein" else _UNITS.get(unit)  # "einundzwanzig"
    if found and tens in _TENS and ones:
        return _TENS[tens] + ones
    return None
