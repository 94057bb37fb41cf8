"""The journey model's editor files: the learned signal's examples (`data/journey/examples/`), the labelled
conversations the phase model learns from (`data/journey/conversations/`), the evidence
(`data/journey/evidence.yml`) and the offers (`data/journey/offers.yml`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import conlist, constr, root_validator, validator

from bot.catalogue.schema import ContentError, ContentProblem
from bot.content.schemas.base import NonEmpty, Strict, locate, locate_in, parse_model, read_document, validated
from bot.journey.vocabulary import PERSONAS, PHASES, SEGMENTS


class JourneyExample(Strict):
    """One visitor message and what it alone says about the visitor; null: it says nothing about that slot."""

    text: NonEmpty  # type: ignore[valid-type]
    phase: Literal[PHASES] | None  # type: ignore[valid-type]
    persona: Literal[PERSONAS] | None  # type: ignore[valid-type]
    segment: Literal[SEGMENTS] | None  # type: ignore[valid-type]


class JourneyExamplesFile(Strict):
    """`data/journey/examples/<language>.yml`: labelled messages the learned journey signal is trained on."""

    version: int
    language: Literal["de", "en"]
    examples: conlist(JourneyExample, min_items=1)  # type: ignore[valid-type]

    @validator("version")
    def _version(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"must be 1, got {value}")
        return value


def parse_journey_examples_text(text: str, display: str) -> JourneyExamplesFile:
    """A journey examples file from YAML text; raises ContentError listing every problem with line and field."""
    examples, root = parse_model(text, display, JourneyExamplesFile, "version, language and examples")
    problems: list[ContentProblem] = []
    seen: dict[str, int] = {}
    for index, example in enumerate(examples.examples):
        key = " ".join(example.text.lower().split())
        line, field = locate(root, ("examples", index, "text"))
        if key in seen:
            problems.append(ContentProblem(display, line, field, f"the same message is already on line {seen[key]}"))
        seen.setdefault(key, line)
    if problems:
        raise ContentError(problems)
    return examples


class ConversationLabels(Strict):
    """Where the visitor stands at the end of the conversation; null: the conversation does not show it."""

    phase: Literal[PHASES] | None  # type: ignore[valid-type]
    persona: Literal[PERSONAS] | None = None  # type: ignore[valid-type]
    segment: Literal[SEGMENTS] | None = None  # type: ignore[valid-type]
    handoff: bool | None = None  #: read by the evaluation, not by the phase model


class LabelledConversationEntry(Strict):
    """One conversation: the visitor's messages in order and the labels at its end."""

    id: NonEmpty  # type: ignore[valid-type]
    lang: Literal["de", "en"]
    turns: conlist(NonEmpty, min_items=1)  # type: ignore[valid-type]
    expect: ConversationLabels


class LabelledConversationsFile(Strict):
    """`data/journey/conversations/*.yml` (and the evaluation sets, same format): labelled conversations."""

    version: Literal[1] = 1
    conversations: conlist(LabelledConversationEntry, min_items=1)  # type: ignore[valid-type]


def read_labelled_conversations(path: Path, display: str | None = None, other_files: Mapping[str, str] | None = None
                                ) -> LabelledConversationsFile:  # fmt: skip
    """A labelled conversations file; raises ContentError listing every problem with line and field, an id used
    twice in it or in one of the other files (`other_files`: id -> file name) too."""
    document, root, shown = read_document(path, display, "version and conversations")
    checked = validated(document, root, shown, LabelledConversationsFile, "version and conversations")
    problems: list[ContentProblem] = []
    seen: dict[str, int] = {}
    for index, conversation in enumerate(checked.conversations):
        line, field = locate(root, ("conversations", index, "id"))
        elsewhere = (other_files or {}).get(conversation.id)
        used = f"on line {seen[conversation.id]}" if conversation.id in seen else elsewhere and f"in {elsewhere}"
        if used:
            problems.append(ContentProblem(shown, line, field, f"the id is already used {used}"))
        seen.setdefault(conversation.id, line)
    if problems:
        raise ContentError(problems)
    return checked


def _number(value: Any) -> float:
    """A number as editors write it (1, 0.6), not a text or true/false."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"must be a number, got {value!r}")
    return float(value)


def _label_weights(value: Any, allowed: Sequence[str]) -> dict[str, float]:
    """`skeptic` or `{skeptic: 1.0}`: the labels a signal counts for, each with a positive weight."""
    if value is None:
        return {}
    if isinstance(value, str):
        value = {value: 1.0}
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping like {{{allowed[0]}: 1.0}}, got {value!r}")
    weights = {}
    for label, weight in value.items():
        if label not in allowed:
            raise ValueError(f"unknown value {label!r}; allowed: {', '.join(allowed)}")
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise ValueError(f"{label}: weight must be a positive number, got {weight!r}")
        weights[str(label)] = float(weight)
    return weights


class EvidenceEntry(Strict):
    """What one intent, word list or page says about the visitor."""

    phase: Literal[PHASES] | None = None  # type: ignore[valid-type]
    initial_phase: Literal[PHASES] | None = None  # type: ignore[valid-type]
    persona: dict[str, float] = {}
    segment: dict[str, float] = {}
    #: the phase counts only for a visitor known to be a customer (an earlier message or another sign in the same
    #: one shows it): "more sensors" or "how long is delivery" is asked by prospects too; it shows no customer itself
    needs_customer: bool = False
    #: the message shows a visitor who has decided to buy ("wir nehmen Professional", "ordering one today", "the PO
    #: goes out on Friday"): their later questions about details (specs, a trial, a doubt) keep the decision phase
    decided: bool = False

    @validator("persona", pre=True)
    def _personas(cls, value: Any) -> dict[str, float]:
        return _label_weights(value, PERSONAS)

    @validator("segment", pre=True)
    def _segments(cls, value: Any) -> dict[str, float]:
        return _label_weights(value, SEGMENTS)


class KeywordEntry(EvidenceEntry):
    """Words (a trailing * matches any ending) or regular expressions, and what a message using one says."""

    name: NonEmpty | None = None  # type: ignore[valid-type]
    words: list[NonEmpty] = []  # type: ignore[valid-type]
    patterns: list[str] = []
    #: the rule's phase comes before the intent's
    over_intent: bool = False

    @validator("over_intent", pre=True)
    def _strict_bool(cls, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false, got {value!r}")
        return value

    @validator("patterns", each_item=True)
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"pattern {value!r} is not valid: {exc}") from exc
        return value

    @root_validator(skip_on_failure=True)
    def _complete(cls, values: dict[str, Any]) -> dict[str, Any]:
        if not values.get("words") and not values.get("patterns"):
            raise ValueError("needs at least one entry under words or patterns")
        if values.get("over_intent") and values.get("phase") is None:
            raise ValueError("over_intent: true needs a phase")
        return values


class PageEvidence(EvidenceEntry):
    #: the page's path; a trailing * matches any ending
    path: constr(strip_whitespace=True, regex=r"^/")  # type: ignore[valid-type]


class Thresholds(Strict):
    intent_confidence: float = 0.3
    persona: float = 1.0
    segment: float = 1.0
    customer: float = 0.7
    decided: float = 0.7
    advocate: float = 2.0
    first_contact_messages: float = 0

    @validator("*", pre=True)
    def _not_negative(cls, value: Any) -> float:
        number = _number(value)
        if number < 0:
            raise ValueError(f"must be a number ≥ 0, got {value!r}")
        return number


class _Probabilities(Strict):
    @validator("*", pre=True)
    def _probability(cls, value: Any, field: Any) -> float:
        number = _number(value)
        if field.name == "weight":
            if number < 0:
                raise ValueError(f"a number ≥ 0 (0 switches the signal off), got {value!r}")
        elif not 0 <= number <= 1:
            raise ValueError(f"must be a probability between 0 and 1, got {value!r}")
        return number


class PhaseSignal(_Probabilities):
    min_probability: float | None = None
    over_intent: float | None = None
    intent_margin: float | None = None
    initial_probability: float | None = None


class LabelSignal(_Probabilities):
    min_probability: float | None = None
    weight: float | None = None


class SignalSection(Strict):
    """How much the learned per-message signal counts, per slot (docs/journey.md)."""

    phase: PhaseSignal | None = None
    persona: LabelSignal | None = None
    segment: LabelSignal | None = None


class EvidenceFile(Strict):
    """`data/journey/evidence.yml`: which intent, word or page counts for which phase, persona and segment."""

    version: Literal[1] = 1
    thresholds: Thresholds = Thresholds()
    signal: SignalSection = SignalSection()
    intents: dict[NonEmpty, EvidenceEntry | None]  # type: ignore[valid-type]
    keywords: list[KeywordEntry] = []
    pages: list[PageEvidence] = []


def parse_evidence_document(document: Any, display: str, root: yaml.Node | None = None) -> EvidenceFile:
    """The evidence file from its parsed YAML; raises ContentError listing every problem with line and field."""
    return validated(document, root, display, EvidenceFile, "intents, keywords and pages")


def read_evidence(path: Path, display: str | None = None) -> EvidenceFile:
    document, root, shown = read_document(path, display, "intents, keywords and pages")
    return parse_evidence_document(document, shown, root)


class OfferEntry(Strict):
    #: what the visitor gets on "yes": a response (utter_…) or a custom action such as a form
    deliver: NonEmpty  # type: ignore[valid-type]
    #: the intents this offer answers: it is not made to a visitor who already asked exactly that
    answers: list[NonEmpty] = []  # type: ignore[valid-type]


class OffersFile(Strict):
    """`data/journey/offers.yml`: the next step the bot offers, by persona, then by phase and segment."""

    version: Literal[1] = 1
    offers: dict[NonEmpty, OfferEntry]  # type: ignore[valid-type]
    by_persona: dict[Literal[PERSONAS], list[NonEmpty]] = {}  # type: ignore[valid-type]
    by_phase: dict[Literal[PHASES], dict[Literal["b2b", "b2c", "any"], list[NonEmpty]]] = {}  # type: ignore[valid-type]


def parse_offers_document(document: Any, display: str, root: yaml.Node | None = None) -> OffersFile:
    """The offers file from its parsed YAML; raises ContentError listing every problem with line and field."""
    checked = validated(document, root, display, OffersFile, "version, offers, by_persona and by_phase")
    problems: list[ContentProblem] = []
    lists = [(("by_persona", persona), names) for persona, names in checked.by_persona.items()]
    lists += [(("by_phase", phase, segment), names) for phase, segments in checked.by_phase.items()
              for segment, names in segments.items()]  # fmt: skip
    for loc, names in lists:
        for index, name in enumerate(names):
            if name not in checked.offers:
                line, field = locate_in(root, (*loc, index))
                message = f"unknown offer {name!r}; defined: {', '.join(checked.offers)}"
                problems.append(ContentProblem(display, line, field, message))
    if problems:
        raise ContentError(problems)
    return checked


def read_offers(path: Path, display: str | None = None) -> OffersFile:
    document, root, shown = read_document(path, display, "version, offers, by_persona and by_phase")
    return parse_offers_document(document, shown, root)
