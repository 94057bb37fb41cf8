"""The Net Promoter Score asked in the chat (issue 16): a customer's answer read from what they typed, its band, and
the answers stored with the conversation, product, phase and date.

    parse_score("9/10") == 9; parse_score("neun") == 9; parse_score("I'd say nine") == 9
    parse_score("7 oder 8") is None
    band(9) == "promoter"; band(7) == "passive"; band(3) == "detractor"
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Integer, String, Text, select
from sqlalchemy.orm import sessionmaker

from bot.db import Base
from bot.numbers import number_word
from bot.text import normalize

#: 9–10 promoters, 7–8 passives, 0–6 detractors (the NPS convention)
BANDS = (("promoter", 9), ("passive", 7), ("detractor", 0))
#: words for the scores that bot.numbers does not spell (it counts things, which start at one)
_MORE_WORDS = {"null": 0, "zero": 0, "nought": 0, "nil": 0, "eins": 1, "zehn": 10, "ten": 10}
#: "von 10", "/10", "out of ten": the scale, not the answer
_SCALE = re.compile(r"(?:/|\bvon\b|\bout\s+of\b|\bof\b|\bauf\b)\s*(?:10|zehn|ten)\b")
_NUMBER = re.compile(r"-?(?<![\w.,])\d+(?:[.,]\d+)?(?![\w])")  # "-1" is read, and refused
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")


def parse_score(text: str) -> int | None:
    """The score 0–10 a customer typed, in German or English, as digits or a word; None when there is none, it is
    no whole number from 0 to 10, or the message names two different ones ("7 oder 8"): then the bot asks again."""
    said = _SCALE.sub(" ", normalize(text))
    digits = _NUMBER.findall(said)
    if digits:
        found = {_whole(number) for number in digits}
    else:
        words = [_MORE_WORDS.get(word, number_word(word)) for word in _WORD.findall(said)]
        found = {value for value in words if value is not None and value != 100}
    if len(found) != 1:
        return None
    (score,) = found
    return score if score is not None and 0 <= score <= 10 else None


def _whole(number: str) -> int | None:
    if number.startswith("-"):
        return None
    if "." in number or "," in number:
        whole, _, fraction = number.replace(",", ".").partition(".")
        return int(whole) if set(fraction) == {"0"} else None  # "9.0" is 9; "8,5" is no score
    return int(number)


#: what makes a message a rating rather than a number in a sentence: a scale ("9/10", "von 10"), a rating article
#: ("eine 7", "a 7", "an eight", "glatte Zehn") or points
_RATING = re.compile(
    r"(?:/|\bvon\b|\bout\s+of\b|\bof\b|\bauf\b)\s*(?:10|zehn|ten)\b|"
    r"\b(?:eine|einen|ne|a|an|glatte|solide|klare|solid|clear|strong|straight)\s+(?:\d{1,2}|null|eins|zwei|drei|vier|"
    r"fuenf|sechs|sieben|acht|neun|zehn|zero|one|two|three|four|five|six|seven|eight|nine|ten)\b|"
    r"\bpunkte?\b|\bpoints?\b|\bnote\b|\bscore\b|\brate\b|\bgebe?\b|\bgive\b|\bw(?:ue|u)rde?\b.*\bsagen\b|\bsay\b",
    re.IGNORECASE,
)  # fmt: skip
#: a message this short with one score in it is an answer ("9", "neun", "eher 6", "a solid 8")
SHORT_ANSWER_WORDS = 3


def reads_as_rating(text: str) -> bool:
    """Whether a message with one score in it answers the 0–10 question, not merely mentions a number: it is short
    ("9", "eher 6") or says it is a rating ("eine 7, der Preis ist halt hoch", "3 von 10, die Werte hinken");
    "Seit 10 Tagen keine Daten" and "One of my sensors is offline" are no answer."""
    return parse_score(text) is not None and (
        len(normalize(text).split()) <= SHORT_ANSWER_WORDS or bool(_RATING.search(normalize(text))))


def band(score: int) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    return next(name for name, lowest in BANDS if score >= lowest)


class NpsAnswer(Base):
    """One answer to "how likely would you recommend us, 0–10", and what the customer added."""

    __tablename__ = "nps_answers"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    #: who answered, for "at most once per period": a customer number, else the conversation
    customer = Column(String(100), nullable=False, index=True)
    product = Column(String(64))
    phase = Column(String(20))
    language = Column(String(2), nullable=False)
    score = Column(Integer, nullable=False)
    comment = Column(Text)  # a passive's "what would make it a 10", a detractor's reason
    created_at = Column(DateTime(timezone=True), nullable=False, index=True)


class NpsInvitation(Base):
    """The NPS question was put to a customer: they are not asked again within the period, answered or not."""

    __tablename__ = "nps_invitations"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    customer = Column(String(100), nullable=False, index=True)
    asked_at = Column(DateTime(timezone=True), nullable=False)


def invite(session_factory: sessionmaker, customer: str, conversation_id: str, now: dt.datetime) -> None:
    """Notes that the question was put (before it is shown)."""
    with session_factory.begin() as session:
        session.add(NpsInvitation(conversation_id=conversation_id, customer=customer, asked_at=now))


@dataclass(frozen=True)
class Answer:
    conversation_id: str
    customer: str
    score: int
    language: str
    product: str | None = None
    phase: str | None = None


def record(session_factory: sessionmaker, answer: Answer, now: dt.datetime) -> int:
    """Stores the answer; returns its id."""
    if not 0 <= answer.score <= 10:
        raise ValueError(f"an NPS score is 0 to 10, not {answer.score}")
    with session_factory.begin() as session:
        row = NpsAnswer(conversation_id=answer.conversation_id, customer=answer.customer, product=answer.product,
                        phase=answer.phase, language=answer.language, score=answer.score, created_at=now)  # fmt: skip
        session.add(row)
        session.flush()
        return int(row.id)


def rescore(session_factory: sessionmaker, answer_id: int, score: int) -> int | None:
    """A corrected score for a stored answer ("sorry, I meant 9"); its id, or None when it is gone."""
    if not 0 <= score <= 10:
        raise ValueError(f"an NPS score is 0 to 10, not {score}")
    with session_factory.begin() as session:
        row = session.get(NpsAnswer, answer_id)
        if row is None:
            return None
        row.score = score
        return int(row.id)


def add_comment(session_factory: sessionmaker, answer_id: int, comment: str) -> None:
    with session_factory.begin() as session:
        row = session.get(NpsAnswer, answer_id)
        if row is not None:  # a passive's "what would make it a 10" after the words typed with the score: both kept
            row.comment = (f"{row.comment}\n{comment}" if row.comment else comment)[:2000]


def asked_recently(session_factory: sessionmaker, customer: str, now: dt.datetime, period: dt.timedelta) -> bool:
    """Whether this customer was asked, or answered, within `period` before `now` (then the bot does not ask again)."""
    with session_factory() as session:
        answered = session.execute(select(NpsAnswer.created_at).where(NpsAnswer.customer == customer)
                                   .order_by(NpsAnswer.created_at.desc()).limit(1)).scalar()  # fmt: skip
        asked = session.execute(select(NpsInvitation.asked_at).where(NpsInvitation.customer == customer)
                                .order_by(NpsInvitation.asked_at.desc()).limit(1)).scalar()  # fmt: skip
    moments = [when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc) for when in (answered, asked) if when]
    return any(now - when < period for when in moments)
