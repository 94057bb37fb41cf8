"""The editor's evidence file (`data/journey/evidence.yml`): which intent, word or page counts for which
journey phase, persona and segment, as the model inference reads it (the file is checked by its schema,
bot/content/schemas/journey.py `EvidenceFile`; the vocabularies are in bot/journey/vocabulary.py). The questions'
evidence comes from their entries in data/content/questions.yml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from bot.content.schemas import (
    EvidenceEntry,
    EvidenceFile,
    KeywordEntry,
    PageEvidence,
    SignalSection,
    parse_evidence_document,
    read_evidence,
)
from bot.content.schemas.questions import Known, QuestionsFile, read_questions
from bot.journey.vocabulary import PERSONAS, PHASES, SEGMENTS
from bot.text import normalize

__all__ = ["PERSONAS", "PHASES", "SEGMENTS", "Evidence", "EvidenceModel", "KeywordRule", "PageRule", "SignalSettings",
           "load_evidence", "parse_evidence"]  # fmt: skip


@dataclass(frozen=True)
class Evidence:
    """What one signal (an intent or a keyword) says about the visitor."""

    phase: str | None = None
    initial_phase: str | None = None
    persona: Mapping[str, float] = field(default_factory=dict)
    segment: Mapping[str, float] = field(default_factory=dict)
    #: where it comes from, for the explanation: "intent:ask_roi", "keyword:money words", "page:/preise*", "signal"
    source: str = ""
    #: the learned signal's probability (None for the editor's rules)
    probability: float | None = None
    #: the phase counts only for a visitor known to be a customer (the file's `needs_customer`)
    needs_customer: bool = False
    #: the message shows a visitor who has decided to buy (the file's `decided`)
    decided: bool = False


@dataclass(frozen=True)
class KeywordRule:
    name: str
    regex: re.Pattern[str]
    evidence: Evidence
    #: the rule's phase comes before the intent's ("what is it, and have you got a video?" is a first contact)
    over_intent: bool = False


@dataclass(frozen=True)
class PageRule:
    """Evidence from the page the visitor is on (path glob like `/preise*`)."""

    pattern: str
    regex: re.Pattern[str]
    evidence: Evidence


@dataclass(frozen=True)
class SignalSettings:
    """How much the learned per-message signal (bot/journey/signals.py) counts; `signal:` in the evidence file.

    Per slot (phase, persona, segment) a reading counts from `min_probability` on. A persona or segment
    reading adds `weight` × its probability to the label's score. A phase reading decides where the message's
    intent and words give no phase; from `over_intent` on it beats the intent's phase too, unless the
    classifier is more than `intent_margin` surer of the intent. A weaker phase reading, from
    `initial_probability` on, counts only while no phase is known yet (like a greeting's `initial_phase`).
    """

    min_probability: Mapping[str, float] = field(
        default_factory=lambda: {"phase": 0.7, "persona": 0.5, "segment": 0.5}
    )
    weight: Mapping[str, float] = field(default_factory=lambda: {"persona": 2.0, "segment": 2.0})
    over_intent: float = 0.7
    intent_margin: float = 0.2
    initial_probability: float = 1.0


@dataclass(frozen=True)
class EvidenceModel:
    intents: Mapping[str, Evidence]
    keywords: Sequence[KeywordRule]
    pages: Sequence[PageRule] = ()
    intent_confidence: float = 0.3
    persona_threshold: float = 1.0
    segment_threshold: float = 1.0
    #: a message read as retention this surely (intent or signal) shows an existing customer: later questions
    #: about prices or features (more sites, renewal terms) keep the phase at retention; above 1: off
    customer_confidence: float = 0.7
    #: evidence marked `decided` read this surely shows a visitor who has decided to buy: their later questions about
    #: details (specs, a trial, a doubt) keep the decision phase
    decided_confidence: float = 0.7
    #: a message read as advocacy this surely (praise, a referral, the learned signal; a page alone does not) shows an
    #: advocate: their later questions (a video to forward, material for a friend) keep the advocacy phase; above 1: off
    advocate_confidence: float = 2.0
    #: in the visitor's first this many messages, a consideration reading does not end an awareness their own words
    #: started (a first contact who asks for a video or doubts a claim is still looking around); 0: off
    first_contact_messages: int = 0
    signal: SignalSettings = field(default_factory=SignalSettings)



# ---------------------------------------------------------------------------------------------
# Loading


def _word_regex(word: str) -> str:
    word = normalize(str(word)).strip()
    prefix = word.endswith("*")
    body = r"\s+".join(re.escape(part) for part in word.rstrip("*").split())
    tail = r"\w*" if prefix else ""
    return rf"(?<!\w){body}{tail}(?!\w)"


def _evidence(entry: EvidenceEntry | None, source: str) -> Evidence:
    if entry is None:
        return Evidence(source=source)
    return Evidence(phase=entry.phase, initial_phase=entry.initial_phase, persona=dict(entry.persona),
                    segment=dict(entry.segment), source=source, needs_customer=entry.needs_customer,
                    decided=entry.decided)  # fmt: skip


def _keyword_rule(entry: KeywordEntry, index: int) -> KeywordRule:
    name = entry.name or f"keywords[{index + 1}]"
    parts = [_word_regex(w) for w in entry.words] + [f"(?:{pattern})" for pattern in entry.patterns]
    return KeywordRule(name=name, regex=re.compile("|".join(parts), re.IGNORECASE),
                       evidence=_evidence(entry, f"keyword:{name}"), over_intent=entry.over_intent)  # fmt: skip


def _page_rule(entry: PageEvidence) -> PageRule:
    pattern = entry.path
    regex = re.compile("^" + re.escape(pattern.rstrip("*")) + (".*" if pattern.endswith("*") else "/?") + "$")
    return PageRule(pattern=pattern, regex=regex, evidence=_evidence(entry, f"page:{pattern}"))


def _signal_settings(section: SignalSection) -> SignalSettings:
    defaults = SignalSettings()
    minimum, weight = dict(defaults.min_probability), dict(defaults.weight)
    phase = {"over_intent": defaults.over_intent, "intent_margin": defaults.intent_margin,
             "initial_probability": defaults.initial_probability}  # fmt: skip
    for slot in ("phase", "persona", "segment"):
        given = getattr(section, slot)
        for key, value in (given.dict(exclude_none=True) if given is not None else {}).items():
            if key == "min_probability":
                minimum[slot] = value
            elif key == "weight":
                weight[slot] = value
            else:
                phase[key] = value
    return SignalSettings(min_probability=minimum, weight=weight, **phase)


#: the questions file whose entries carry the questions' evidence
QUESTIONS_FILE = PROJECT_ROOT / "data" / "content" / "questions.yml"


def parse_evidence(document: Any, display: str = "evidence.yml", questions: QuestionsFile | None = None
                   ) -> EvidenceModel:  # fmt: skip
    """The model from an evidence document (parsed YAML) and the questions; every mistake raised as one
    ContentError (file, line, field)."""
    return _model(parse_evidence_document(document, display), questions)


def load_evidence(path: Path, questions: Path | None = QUESTIONS_FILE) -> EvidenceModel:
    """Read and check the file and the questions' evidence; every mistake raised as one ContentError naming the
    file, the line and the field, which a running bot answers by keeping the last good version (bot/reloading.py).
    `questions`: None for the evidence file alone."""
    checked = read_evidence(path)
    known = Known(other_intents=frozenset(checked.intents))
    asked = read_questions(questions, known=known) if questions is not None else None
    return _model(checked, asked)


def _model(checked: EvidenceFile, questions: QuestionsFile | None = None) -> EvidenceModel:
    thresholds = checked.thresholds
    intents = {str(name): _evidence(entry, f"intent:{name}") for name, entry in checked.intents.items()}
    for name, question in (questions.questions if questions else {}).items():
        intents[str(name)] = _evidence(question.evidence, f"intent:{name}")
    return EvidenceModel(
        intents=intents,
        keywords=[_keyword_rule(entry, i) for i, entry in enumerate(checked.keywords)],
        pages=[_page_rule(entry) for entry in checked.pages],
        intent_confidence=thresholds.intent_confidence,
        persona_threshold=thresholds.persona,
        segment_threshold=thresholds.segment,
        customer_confidence=thresholds.customer,
        decided_confidence=thresholds.decided,
        advocate_confidence=thresholds.advocate,
        first_contact_messages=int(thresholds.first_contact_messages),
        signal=_signal_settings(checked.signal),
    )
