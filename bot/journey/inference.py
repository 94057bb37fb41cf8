"""Where a visitor stands: journey phase, persona, segment and language, from the conversation.

The evidence model (which intent or word counts for which label) is data, loaded by
`bot.journey.evidence`; this module applies it to a conversation's messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.journey.evidence import Evidence, EvidenceModel
from bot.journey.language import detect_language
from bot.journey.touchpoint import page_context, touchpoint
from bot.text import normalize


@dataclass(frozen=True)
class Turn:
    """One visitor message as Rasa understood it, with the page it was sent from (if any)."""

    text: str
    intent: str | None = None
    confidence: float = 0.0
    page: Mapping[str, Any] = field(default_factory=dict)
    #: the classifier's own reading when our NLU components replaced it (REPLACING_INTENTS), and its confidence
    read_as: str | None = None
    read_confidence: float = 0.0


@dataclass(frozen=True)
class JourneyState:
    phase: str | None
    persona: str | None
    segment: str | None
    language: str
    persona_scores: Mapping[str, float]
    segment_scores: Mapping[str, float]
    touchpoint: str | None = None


def message_evidence(turn: Turn, model: EvidenceModel) -> list[Evidence]:
    """The evidence one message carries: its intent's first, then matching keywords."""
    found: list[Evidence] = []
    if turn.read_as and turn.read_confidence >= model.intent_confidence and turn.read_as in model.intents:
        # "Mein Home zeigt keine Daten mehr" answered from a knowledge entry is still a customer's request
        # (retention): the classifier's reading keeps its phase, though not its persona or segment
        found.append(Evidence(phase=model.intents[turn.read_as].phase))
    if turn.intent and turn.confidence >= model.intent_confidence and turn.intent in model.intents:
        found.append(model.intents[turn.intent])
    text = normalize(turn.text or "")
    found.extend(rule.evidence for rule in model.keywords if rule.regex.search(text))
    path = str(turn.page.get("path") or "")
    if path:
        found.extend(rule.evidence for rule in model.pages if rule.regex.match(path))
    return found


def _best(scores: Mapping[str, float], last_seen: Mapping[str, int], threshold: float) -> str | None:
    candidates = [label for label, score in scores.items() if score >= threshold]
    if not candidates:
        return None
    return max(candidates, key=lambda label: (scores[label], last_seen[label]))


def infer_journey(
    turns: Iterable[Turn],
    model: EvidenceModel,
    default_language: str = "de",
    start_language: str | None = None,
) -> JourneyState:
    """Replay a conversation's visitor messages and say where the visitor stands now.

    Persona and segment scores accumulate over all messages; the phase follows the most
    recent message with phase evidence (forward and back); the language follows each
    message that is clearly German or English.
    """
    phase: str | None = None
    language = start_language
    persona_scores: dict[str, float] = {}
    segment_scores: dict[str, float] = {}
    persona_seen: dict[str, int] = {}
    segment_seen: dict[str, int] = {}
    touchpoint_found: str | None = None
    page_language: str | None = None
    for index, turn in enumerate(turns):
        if turn.page and touchpoint_found is None:
            touchpoint_found = touchpoint(turn.page)
            browser = str(turn.page.get("language") or "")[:2].lower()
            if browser not in ("de", "en"):  # a French browser, say: the page's language
                browser = str(turn.page.get("page_language") or "")[:2].lower()
            if language is None and browser in ("de", "en"):
                language = browser
        site_language = str(turn.page.get("page_language") or "")[:2].lower() if turn.page else ""
        if site_language in ("de", "en"):
            if page_language is not None and site_language != page_language:
                language = site_language  # the visitor used the website's language switch
            page_language = site_language
        language = detect_language(turn.text or "", language, default_language)
        evidences = message_evidence(turn, model)
        message_phase = next((e.phase for e in evidences if e.phase), None)
        if message_phase is None and phase is None:
            message_phase = next((e.initial_phase for e in evidences if e.initial_phase), None)
        phase = message_phase or phase
        for evidence in evidences:
            for label, weight in evidence.persona.items():
                persona_scores[label] = persona_scores.get(label, 0.0) + weight
                persona_seen[label] = index
            for label, weight in evidence.segment.items():
                segment_scores[label] = segment_scores.get(label, 0.0) + weight
                segment_seen[label] = index
    return JourneyState(
        phase=phase,
        persona=_best(persona_scores, persona_seen, model.persona_threshold),
        segment=_best(segment_scores, segment_seen, model.segment_threshold),
        language=language or default_language,
        persona_scores=persona_scores,
        segment_scores=segment_scores,
        touchpoint=touchpoint_found,
    )


#: intents our NLU components (bot/rasa_plugins) put in place of the classifier's reading: a specific question
#: answered from a knowledge entry, a statement of the visitor's situation
REPLACING_INTENTS = ("ask_topic", "inform_situation")


def turns_from_events(events: Iterable[Mapping[str, Any]]) -> list[Turn]:
    """The visitor messages of a tracker's event list (as rasa-sdk hands it to actions)."""
    turns: list[Turn] = []
    for event in events:
        if event.get("event") != "user":
            continue
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        text = event.get("text") or ""
        read_as: Mapping[str, Any] = {}
        if intent.get("name") in REPLACING_INTENTS and not text.startswith("/"):
            read_as = next((r for r in parse.get("intent_ranking") or []
                            if r.get("name") not in (*REPLACING_INTENTS, "nlu_fallback")), {})  # fmt: skip
        turns.append(
            Turn(
                text=text,
                intent=intent.get("name"),
                confidence=float(intent.get("confidence") or 0.0),
                page=page_context(event.get("metadata")),
                read_as=read_as.get("name"),
                read_confidence=float(read_as.get("confidence") or 0.0),
            )
        )
    return turns
