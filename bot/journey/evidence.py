"""The editor's evidence file (`data/journey/evidence.yml`): which intent, word or page counts for which
journey phase, persona and segment; loading and checking it. The vocabularies are defined here, once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.reloading import load_yaml_file
from bot.text import normalize

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
    #: where it comes from, for the explanation: "intent:ask_roi", "keyword:money words", "page:/preise*", "signal"
    source: str = ""
    #: the learned signal's probability (None for the editor's rules)
    probability: float | None = None


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
    classifier is more than `intent_margin` surer of the intent.
    """

    min_probability: Mapping[str, float] = field(
        default_factory=lambda: {"phase": 0.7, "persona": 0.5, "segment": 0.5}
    )
    weight: Mapping[str, float] = field(default_factory=lambda: {"persona": 2.0, "segment": 2.0})
    over_intent: float = 0.7
    intent_margin: float = 0.2


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
    signal: SignalSettings = field(default_factory=SignalSettings)



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


def _evidence(raw: Any, where: str, source: str = "") -> Evidence:
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
        source=source,
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
    # over_intent is a keyword rule's alone: under an intent or a page it is an unknown key
    evidence = _evidence({k: v for k, v in raw.items() if k != "over_intent"}, f"{where} ({name})", f"keyword:{name}")
    over_intent = raw.get("over_intent", False)
    if not isinstance(over_intent, bool) or (over_intent and evidence.phase is None):
        raise EvidenceError(f"{where} ({name}): over_intent must be true or false, and true needs a phase")
    return KeywordRule(name=name, regex=re.compile("|".join(parts), re.IGNORECASE), evidence=evidence,
                       over_intent=over_intent)


def _page_rule(raw: Any, index: int) -> PageRule:
    where = f"pages[{index}]"
    if not isinstance(raw, Mapping) or not str(raw.get("path") or "").startswith("/"):
        raise EvidenceError(f"{where}: needs a path starting with / (a trailing * matches any ending)")
    pattern = str(raw["path"])
    regex = re.compile("^" + re.escape(pattern.rstrip("*")) + (".*" if pattern.endswith("*") else "/?") + "$")
    return PageRule(pattern=pattern, regex=regex, evidence=_evidence(raw, f"{where} ({pattern})", f"page:{pattern}"))


def _probability(value: Any, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise EvidenceError(f"{where}: must be a probability between 0 and 1, got {value!r}")
    return float(value)


def _signal_settings(raw: Any) -> SignalSettings:
    if raw is None:
        return SignalSettings()
    if not isinstance(raw, Mapping):
        raise EvidenceError("signal: expected a mapping like {persona: {min_probability: 0.5, weight: 2.0}}")
    defaults = SignalSettings()
    minimum, weight = dict(defaults.min_probability), dict(defaults.weight)
    phase: dict[str, float] = {"over_intent": defaults.over_intent, "intent_margin": defaults.intent_margin}
    for slot, settings in raw.items():
        where = f"signal.{slot}"
        if slot not in ("phase", "persona", "segment"):
            raise EvidenceError(f"{where}: unknown slot; use phase, persona or segment")
        allowed = ("min_probability", *(("over_intent", "intent_margin") if slot == "phase" else ("weight",)))
        if not isinstance(settings, Mapping) or set(settings) - set(allowed):
            raise EvidenceError(f"{where}: expected a mapping with {', '.join(allowed)}")
        for key, value in settings.items():
            if key == "weight":
                if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                    raise EvidenceError(f"{where}.weight: a number ≥ 0 (0 switches the signal off), got {value!r}")
                weight[slot] = float(value)
            elif key == "min_probability":
                minimum[slot] = _probability(value, f"{where}.{key}")
            else:
                phase[key] = _probability(value, f"{where}.{key}")
    return SignalSettings(min_probability=minimum, weight=weight, **phase)


def parse_evidence(document: Any) -> EvidenceModel:
    """Check an evidence document (parsed YAML) and turn it into a model."""
    if not isinstance(document, Mapping) or not isinstance(document.get("intents"), Mapping):
        raise EvidenceError("the file needs a top-level 'intents:' mapping")
    thresholds = document.get("thresholds") or {}
    for key, value in thresholds.items():
        if key not in ("intent_confidence", "persona", "segment", "customer"):
            raise EvidenceError(f"thresholds: unknown key {key!r}")
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise EvidenceError(f"thresholds.{key}: must be a number ≥ 0, got {value!r}")
    intents = {
        str(name): _evidence(raw, f"intents.{name}", f"intent:{name}") for name, raw in document["intents"].items()
    }
    keywords = [_keyword_rule(raw, i) for i, raw in enumerate(document.get("keywords") or [])]
    pages = [_page_rule(raw, i) for i, raw in enumerate(document.get("pages") or [])]
    return EvidenceModel(
        intents=intents,
        keywords=keywords,
        pages=pages,
        intent_confidence=float(thresholds.get("intent_confidence", 0.3)),
        persona_threshold=float(thresholds.get("persona", 1.0)),
        segment_threshold=float(thresholds.get("segment", 1.0)),
        customer_confidence=float(thresholds.get("customer", 0.7)),
        signal=_signal_settings(document.get("signal")),
    )


def load_evidence(path: Path) -> EvidenceModel:
    """Read and check the file; errors name the file and the place in it."""
    return load_yaml_file(path, parse_evidence, EvidenceError)
