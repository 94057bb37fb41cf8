"""Where a visitor stands: journey phase, persona, segment and language, from the conversation.

The evidence model (which intent or word counts for which label) is data, read from
`data/journey/evidence.yml`; this module only loads, checks and applies it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.language import detect_language
from bot.reloading import load_yaml_file
from bot.text import normalize
from bot.touchpoint import page_context, touchpoint

PHASES = ("awareness", "consideration", "decision", "retention", "advocacy")
PERSONAS = ("skeptic", "experience_seeker", "influencer", "budget_owner", "technical")
SEGMENTS = ("b2b", "b2c")


class EvidenceError(ValueError):
    """The evidence file is not what an editor meant to write; the message says where."""


@dataclass(frozen=True)
class Evidence:
    """What one signal (an intent or a keyword) says about the visitor."""

    phase: str | None = None
    initial_phase: str | None = None
    persona: Mapping[str, float] = field(default_factory=dict)
    segment: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class KeywordRule:
    name: str
    regex: re.Pattern[str]
    evidence: Evidence


@dataclass(frozen=True)
class PageRule:
    """Evidence from the page the visitor is on (path glob like `/preise*`)."""

    pattern: str
    regex: re.Pattern[str]
    evidence: Evidence


@dataclass(frozen=True)
class EvidenceModel:
    intents: Mapping[str, Evidence]
    keywords: Sequence[KeywordRule]
    pages: Sequence[PageRule] = ()
    intent_confidence: float = 0.3
    persona_threshold: float = 1.0
    segment_threshold: float = 1.0


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


# ---------------------------------------------------------------------------------------------
# Loading


def _labels(raw: Any, allowed: Sequence[str], where: str) -> dict[str, float]:
    if raw is None:
        return {}
    if isinstance(raw, str):
        raw = {raw: 1.0}
    if not isinstance(raw, Mapping):
        raise EvidenceError(f"{where}: expected a mapping like {{{allowed[0]}: 1.0}}, got {raw!r}")
    scores: dict[str, float] = {}
    for label, weight in raw.items():
        if label not in allowed:
            raise EvidenceError(f"{where}: unknown value {label!r}; allowed: {', '.join(allowed)}")
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise EvidenceError(f"{where}.{label}: weight must be a positive number, got {weight!r}")
        scores[str(label)] = float(weight)
    return scores


def _phase(raw: Any, where: str) -> str | None:
    if raw is None:
        return None
    if raw not in PHASES:
        raise EvidenceError(f"{where}: unknown phase {raw!r}; allowed: {', '.join(PHASES)}")
    return str(raw)


def _evidence(raw: Any, where: str) -> Evidence:
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise EvidenceError(f"{where}: expected a mapping, got {raw!r}")
    known = {"phase", "initial_phase", "persona", "segment", "name", "words", "patterns", "path"}
    unknown = set(raw) - known
    if unknown:
        raise EvidenceError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return Evidence(
        phase=_phase(raw.get("phase"), f"{where}.phase"),
        initial_phase=_phase(raw.get("initial_phase"), f"{where}.initial_phase"),
        persona=_labels(raw.get("persona"), PERSONAS, f"{where}.persona"),
        segment=_labels(raw.get("segment"), SEGMENTS, f"{where}.segment"),
    )


def _word_regex(word: str) -> str:
    word = normalize(str(word)).strip()
    prefix = word.endswith("*")
    body = r"\s+".join(re.escape(part) for part in word.rstrip("*").split())
    tail = r"\w*" if prefix else ""
    return rf"(?<!\w){body}{tail}(?!\w)"


def _keyword_rule(raw: Any, index: int) -> KeywordRule:
    where = f"keywords[{index}]"
    if not isinstance(raw, Mapping):
        raise EvidenceError(f"{where}: expected a mapping with words or patterns")
    name = str(raw.get("name") or where)
    parts = [_word_regex(w) for w in raw.get("words") or []]
    for pattern in raw.get("patterns") or []:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise EvidenceError(f"{where} ({name}): pattern {pattern!r} is not valid: {exc}") from exc
        parts.append(f"(?:{pattern})")
    if not parts:
        raise EvidenceError(f"{where} ({name}): needs at least one entry under words or patterns")
    evidence = _evidence(raw, f"{where} ({name})")
    return KeywordRule(name=name, regex=re.compile("|".join(parts), re.IGNORECASE), evidence=evidence)


def _page_rule(raw: Any, index: int) -> PageRule:
    where = f"pages[{index}]"
    if not isinstance(raw, Mapping) or not str(raw.get("path") or "").startswith("/"):
        raise EvidenceError(f"{where}: needs a path starting with / (a trailing * matches any ending)")
    pattern = str(raw["path"])
    regex = re.compile("^" + re.escape(pattern.rstrip("*")) + (".*" if pattern.endswith("*") else "/?") + "$")
    return PageRule(pattern=pattern, regex=regex, evidence=_evidence(raw, f"{where} ({pattern})"))


def parse_evidence(document: Any) -> EvidenceModel:
    """Check an evidence document (parsed YAML) and turn it into a model."""
    if not isinstance(document, Mapping) or not isinstance(document.get("intents"), Mapping):
        raise EvidenceError("the file needs a top-level 'intents:' mapping")
    thresholds = document.get("thresholds") or {}
    for key, value in thresholds.items():
        if key not in ("intent_confidence", "persona", "segment"):
            raise EvidenceError(f"thresholds: unknown key {key!r}")
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise EvidenceError(f"thresholds.{key}: must be a number ≥ 0, got {value!r}")
    intents = {str(name): _evidence(raw, f"intents.{name}") for name, raw in document["intents"].items()}
    keywords = [_keyword_rule(raw, i) for i, raw in enumerate(document.get("keywords") or [])]
    pages = [_page_rule(raw, i) for i, raw in enumerate(document.get("pages") or [])]
    return EvidenceModel(
        intents=intents,
        keywords=keywords,
        pages=pages,
        intent_confidence=float(thresholds.get("intent_confidence", 0.3)),
        persona_threshold=float(thresholds.get("persona", 1.0)),
        segment_threshold=float(thresholds.get("segment", 1.0)),
    )


def load_evidence(path: Path) -> EvidenceModel:
    """Read and check the file; errors name the file and the place in it."""
    return load_yaml_file(path, parse_evidence, EvidenceError)


# ---------------------------------------------------------------------------------------------
# Inference


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
