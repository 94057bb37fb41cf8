"""Where a visitor stands: journey phase, persona, segment and language, from the conversation.

The evidence model (which intent or word counts for which label) is data, loaded by
`bot.journey.evidence`; this module applies it to a conversation's messages.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.journey.evidence import Evidence, EvidenceModel, SignalSettings
from bot.journey.language import LANGUAGES, decided_language
from bot.journey.phase_model import MessagePhase, PhaseModel, features
from bot.journey.signals import JourneySignal, SlotReading
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

    @property
    def typed(self) -> bool:
        """Typed by the visitor: not a button's payload ("/ask_price{…}") or the widget's "/page_view"."""
        return not (self.text or "").lstrip().startswith("/")


@dataclass(frozen=True)
class Reason:
    """One piece of evidence behind a slot's value: which message, what in it, how much it counted.

    Messages are numbered as the visitor typed them (from 1), without button clicks and page views,
    like the transcript in the sales brief; a button's own evidence has no number. The text itself is
    not repeated here: the conversation has it (and forgets contact details given without consent).
    """

    message: int | None
    source: str  #: "intent:ask_roi", "keyword:money words", "page:/preise*", "signal", "words", "browser", …
    score: float  #: what it added to the label (persona, segment); for the phase and language, how sure
    probability: float | None = None  #: the learned signal's probability for the label
    #: for the first of a phase's two reasons: what it showed that keeps the phase ("customer": an existing
    #: customer, "decided": decided to buy, "advocate": an advocate, "first_contact": a first contact still
    #: looking around)
    rule: str | None = None

    def as_dict(self) -> dict[str, Any]:
        kind, _, name = self.source.partition(":")
        found: dict[str, Any] = {"message": self.message, "source": kind, "name": name or None, "score": self.score}
        if self.probability is not None:
            found["probability"] = self.probability
        if self.rule is not None:
            found["rule"] = self.rule
        return found


#: at most this many reasons per slot in the explanation (the most recent ones), so the slot stays small
MAX_REASONS = 6


@dataclass(frozen=True)
class JourneyState:
    phase: str | None
    persona: str | None
    segment: str | None
    language: str
    persona_scores: Mapping[str, float]
    segment_scores: Mapping[str, float]
    touchpoint: str | None = None
    #: per slot (phase, persona, segment, language), the evidence behind its current value
    reasons: Mapping[str, tuple[Reason, ...]] = field(default_factory=dict)
    #: the phase the hand-made rules gave, before the conversation phase model weighed the whole conversation
    rules_phase: str | None = None

    def explanation(self) -> dict[str, Any]:
        """The `journey_explanation` slot: per slot its value, total score and reasons (docs/journey.md)."""
        scores = {"persona": self.persona_scores, "segment": self.segment_scores}
        result: dict[str, Any] = {}
        for slot, value in (("phase", self.phase), ("persona", self.persona), ("segment", self.segment),
                            ("language", self.language)):  # fmt: skip
            reasons = self.reasons.get(slot, ())[-MAX_REASONS:]
            entry: dict[str, Any] = {"value": value, "reasons": [r.as_dict() for r in reasons]}
            if slot in scores and value is not None:
                entry["score"] = round(scores[slot].get(value, 0.0), 3)
            result[slot] = entry
        return result


def _signal_evidence(reading: Mapping[str, SlotReading], settings: SignalSettings) -> tuple[Evidence, Evidence]:
    """What the learned signal says about one message: a phase sure enough to beat the intent's, and the rest."""
    minimum = settings.min_probability
    phase = reading.get("phase")
    strong = phase if phase is not None and phase.probability >= max(settings.over_intent, minimum["phase"]) else None
    weak = phase if strong is None and phase is not None and phase.probability >= minimum["phase"] else None
    # weaker still: counts only while no phase is known yet ("Servas", then "heuer a Nachzahlung von 600 Euro")
    initial = (phase if strong is None and weak is None and phase is not None
               and phase.probability >= settings.initial_probability else None)  # fmt: skip

    def labels(slot: str) -> dict[str, float]:
        found = reading.get(slot)
        weight = settings.weight.get(slot, 0.0)
        if found is None or found.probability < minimum.get(slot, 1.0) or not weight:
            return {}
        return {found.label: round(weight * found.probability, 3)}

    return (
        Evidence(phase=strong.label if strong else None, source="signal", probability=strong and strong.probability),
        Evidence(
            phase=weak.label if weak else None,
            initial_phase=initial.label if initial else None,
            persona=labels("persona"),
            segment=labels("segment"),
            source="signal",
            probability=weak.probability if weak else initial.probability if initial else None,
        ),
    )


#: messages whose evidence is kept: every message of a conversation is read again for each new one
EVIDENCE_CACHE_SIZE = 4096
_evidence_cache: OrderedDict[tuple[Any, ...], tuple[EvidenceModel, JourneySignal | None, tuple[Evidence, ...]]] = (
    OrderedDict()
)


def message_evidence(turn: Turn, model: EvidenceModel, signal: JourneySignal | None = None) -> list[Evidence]:
    """The evidence one message carries, the phase's first: the intent's (or a sure learned phase instead),
    the editor's keywords, the learned signal, the page. Kept per message, evidence file and signal."""
    key = (id(model), id(signal), turn.text, turn.intent, turn.confidence, turn.read_as, turn.read_confidence,
           str(turn.page.get("path") or ""))  # fmt: skip
    kept = _evidence_cache.get(key)
    if kept is not None and kept[0] is model and kept[1] is signal:
        _evidence_cache.move_to_end(key)
        return list(kept[2])
    found = _read_evidence(turn, model, signal)
    _evidence_cache[key] = (model, signal, tuple(found))
    while len(_evidence_cache) > EVIDENCE_CACHE_SIZE:
        _evidence_cache.popitem(last=False)
    return found


def _read_evidence(turn: Turn, model: EvidenceModel, signal: JourneySignal | None) -> list[Evidence]:
    text = turn.text or ""
    strong, learned = (
        _signal_evidence(signal.read(text), model.signal)
        if signal is not None and text.strip() and turn.typed
        else (Evidence(), Evidence())
    )
    found: list[Evidence] = []
    read_as = model.intents.get(turn.read_as or "") if turn.read_confidence >= model.intent_confidence else None
    intent = model.intents.get(turn.intent or "") if turn.confidence >= model.intent_confidence else None
    keywords = [rule for rule in model.keywords if rule.regex.search(normalize(text))] if turn.typed else []
    # the editor's rules that come before the intent come before the learned signal too: the file corrects it
    found.extend(rule.evidence for rule in keywords if rule.over_intent)  # "what is it? got a video?": first contact
    classifier = next((e for e in (intent, read_as) if e is not None and e.phase), None)
    if strong.phase and classifier is not None:
        if (strong.probability or 0.0) + model.signal.intent_margin >= max(turn.confidence, turn.read_confidence):
            found.append(strong)  # sure, and the classifier not clearly surer of its intent: beats the intent's phase
            strong = Evidence()
        elif not classifier.needs_customer:
            strong = Evidence()
        # else kept after the intent: when the visitor is not known to be a customer, the intent's phase does not
        # count and the signal's does ("my partner says go ahead and order it" read as a question about delivery)
    if read_as is not None:
        # "Mein Home zeigt keine Daten mehr" answered from a knowledge entry is still a customer's request
        # (retention): the classifier's reading keeps its phase, though not its persona or segment
        found.append(Evidence(phase=read_as.phase, source=f"intent:{turn.read_as}"))
    if intent is not None:
        found.append(intent)
    # a button's payload ("/ask_price{…wattwerk-business…}") is no wording: no keywords
    found.extend(rule.evidence for rule in keywords if not rule.over_intent)
    if strong.phase:  # no phase from the classifier, or a customer's only: after the editor's keywords
        found.append(strong)
    if learned.phase or learned.initial_phase or learned.persona or learned.segment:
        found.append(learned)
    path = str(turn.page.get("path") or "")
    if path:
        found.extend(rule.evidence for rule in model.pages if rule.regex.match(path))
    return found


def _best(scores: Mapping[str, float], last_seen: Mapping[str, int], threshold: float) -> str | None:
    candidates = [label for label, score in scores.items() if score >= threshold]
    if not candidates:
        return None
    return max(candidates, key=lambda label: (scores[label], last_seen[label]))


#: evidence from these sources can show who the visitor is, a customer or an advocate (a page alone, say the customer
#: area's login, cannot)
CUSTOMER_SOURCES = ("intent:", "keyword:", "signal")


def _shows_customer(evidences: Sequence[Evidence], turn: Turn, model: EvidenceModel, number: int | None
                    ) -> Reason | None:  # fmt: skip
    """The evidence of a message that shows an existing customer, even when another one decides its phase ("Wir
    nutzen aktuell Starter, was kostet Professional?"): a retention reading sure enough from the intent, the editor's
    words or the learned signal; None if none does."""
    return _shows_phase("retention", evidences, turn, model.customer_confidence, number, "customer")


def _shows_decision(evidences: Sequence[Evidence], turn: Turn, model: EvidenceModel, number: int | None
                    ) -> Reason | None:  # fmt: skip
    """The evidence of a message that shows a visitor who has decided to buy (marked `decided` in the evidence or
    questions file), read sure enough, even when another one decides its phase ("Die Geschäftsführung hat
    Professional freigegeben" read as a request for material for the boss); None if none does."""
    return _first_sure((e for e in evidences if e.decided), turn, model.decided_confidence, number, "decided")


def _shows_advocate(evidences: Sequence[Evidence], turn: Turn, model: EvidenceModel, number: int | None
                    ) -> Reason | None:  # fmt: skip
    """The evidence of a message that shows an advocate ("told the whole street about you", praise): an advocacy
    reading sure enough from the intent, the editor's words or the learned signal; None if none is."""
    return _shows_phase("advocacy", evidences, turn, model.advocate_confidence, number, "advocate")


def _shows_phase(phase: str, evidences: Sequence[Evidence], turn: Turn, threshold: float, number: int | None,
                 rule: str) -> Reason | None:  # fmt: skip
    """A reading of `phase` at least `threshold` sure that shows who the visitor is: from the intent, the editor's
    words or the learned signal, and not one that counts for customers only (`needs_customer`)."""
    readings = (e for e in evidences
                if e.phase == phase and not e.needs_customer and e.source.startswith(CUSTOMER_SOURCES))
    return _first_sure(readings, turn, threshold, number, rule)


def _first_sure(readings: Iterable[Evidence], turn: Turn, threshold: float, number: int | None, rule: str
                ) -> Reason | None:  # fmt: skip
    """The first reading at least `threshold` sure, as the reason that keeps the phase (`rule`); None if none is."""
    for evidence in readings:
        score = _phase_score(evidence, turn)
        if score >= threshold:
            return Reason(number, evidence.source, score, evidence.probability, rule=rule)
    return None


def _phase_score(evidence: Evidence, turn: Turn) -> float:
    if evidence.probability is not None:
        return evidence.probability
    if evidence.source == f"intent:{turn.intent}":
        return round(turn.confidence, 3)
    if evidence.source == f"intent:{turn.read_as}":
        return round(turn.read_confidence, 3)
    return 1.0


def infer_journey(
    turns: Iterable[Turn],
    model: EvidenceModel,
    default_language: str = "de",
    start_language: str | None = None,
    signal: JourneySignal | None = None,
    phase_model: PhaseModel | None = None,
) -> JourneyState:
    """Replay a conversation's visitor messages and say where the visitor stands now, and why.

    Persona and segment scores accumulate over all messages; the phase follows the most
    recent message with phase evidence (forward and back), and the conversation phase model, when
    trained, weighs that against what every message showed (unless a page the visitor was on gives the
    rules' phase); the language follows each
    message that is clearly German or English.
    """
    turns = list(turns)
    phase: str | None = None
    phase_reason: tuple[Reason, ...] = ()
    customer: Reason | None = None
    decided: Reason | None = None
    advocate: Reason | None = None
    first_contact: Reason | None = None
    typed_count = 0
    language = start_language
    language_reason: tuple[Reason, ...] = ()
    scores: dict[str, dict[str, float]] = {"persona": {}, "segment": {}}
    seen: dict[str, dict[str, int]] = {"persona": {}, "segment": {}}
    contributions: dict[str, dict[str, list[Reason]]] = {"persona": {}, "segment": {}}
    touchpoint_found: str | None = None
    page_language: str | None = None
    page_phases: set[str] = set()
    for index, turn in enumerate(turns):
        typed_count += turn.typed
        number = typed_count if turn.typed else None
        if turn.page and touchpoint_found is None:
            touchpoint_found = touchpoint(turn.page)
            browser = str(turn.page.get("language") or "")[:2].lower()
            if browser not in ("de", "en"):  # a French browser, say: the page's language
                browser = str(turn.page.get("page_language") or "")[:2].lower()
            if language is None and browser in ("de", "en"):
                language = browser
                language_reason = (Reason(number, "browser", 1.0),)
        site_language = str(turn.page.get("page_language") or "")[:2].lower() if turn.page else ""
        if site_language in ("de", "en"):
            if page_language is not None and site_language != page_language:
                language = site_language  # the visitor used the website's language switch
                language_reason = (Reason(number, "language_switch", 1.0),)
            page_language = site_language
        said, margin = decided_language(turn.text or "")
        language = said or (language if language in LANGUAGES else default_language)
        if said:
            language_reason = (Reason(number, "words", float(margin)),)
        evidences = message_evidence(turn, model, signal)
        page_phases.update(e.phase for e in evidences if e.phase and e.source.startswith("page:"))
        shown = _shows_customer(evidences, turn, model, number)
        if customer is None and shown is None:
            # "Do I need Plus for the export?" read as a customer's upgrade, "how long is delivery?": without a sign
            # of a customer, such a question's phase does not count (the message's other evidence decides)
            evidences = [replace(e, phase=None) if e.needs_customer and e.phase else e for e in evidences]
        decided = decided or _shows_decision(evidences, turn, model, number)
        deciding = next((e for e in evidences if e.phase), None)
        message_phase = deciding.phase if deciding else None
        if message_phase is None and phase is None:
            deciding = next((e for e in evidences if e.initial_phase), None)
            message_phase = deciding.initial_phase if deciding else None
        if message_phase is not None and deciding is not None:
            reason = Reason(number, deciding.source, _phase_score(deciding, turn), deciding.probability)
            if shown is not None:
                customer = shown  # an existing customer: more sites or renewal terms are not a new purchase
            if message_phase in ("retention", "decision"):
                advocate = None  # a support request or an order of their own: no longer (only) recommending us
            advocate = _shows_advocate(evidences, turn, model, number) or advocate
            if advocate is not None and message_phase in ("awareness", "consideration"):
                # an advocate's next question (a video to forward, flyers, where reviews go) serves the recommending
                phase, phase_reason = "advocacy", (advocate, reason)
            elif customer is not None and message_phase in ("awareness", "consideration", "decision"):
                phase, phase_reason = "retention", (customer, reason)
            elif decided is not None and message_phase in ("awareness", "consideration"):
                # decided to buy: a question about the details (specs, a trial, the data protection terms) is the
                # last step of the decision, not a new comparison
                phase, phase_reason = "decision", (decided, reason)
            elif (message_phase == "consideration" and phase == "awareness" and first_contact is not None
                  and number is not None and number <= model.first_contact_messages):
                # right after a first contact, looking around is still awareness
                phase_reason = (first_contact, reason)
            else:
                phase, phase_reason = message_phase, (reason,)
                first_contact = replace(reason, rule="first_contact") if deciding.phase == "awareness" else None
        for evidence in evidences:
            for slot, labels in (("persona", evidence.persona), ("segment", evidence.segment)):
                for label, weight in labels.items():
                    scores[slot][label] = scores[slot].get(label, 0.0) + weight
                    seen[slot][label] = index
                    learned = evidence.source == "signal" and model.signal.weight.get(slot)
                    probability = round(weight / model.signal.weight[slot], 3) if learned else None
                    reason = Reason(number, evidence.source, weight, probability)
                    contributions[slot].setdefault(label, []).append(reason)
    rules_phase = phase
    # The model learned from typed conversations without pages: where the editor's page rule (the pricing page, the
    # customer area) backs the rules' phase, the evidence file decides, as it corrects and overrides everywhere.
    if phase is not None and phase_model is not None and signal is not None and phase not in page_phases:
        messages = weighed_messages(turns, model, signal)
        sure = phase_reason[-1].score if phase_reason else 0.0
        weighed, probability = phase_model.predict(features(phase, messages, sure))
        if weighed != phase:
            phase, phase_reason = weighed, (_weighed_reason(weighed, probability, messages),)
    persona = _best(scores["persona"], seen["persona"], model.persona_threshold)
    segment = _best(scores["segment"], seen["segment"], model.segment_threshold)
    reasons = {
        "phase": phase_reason,
        "persona": tuple(contributions["persona"].get(persona, ())) if persona else (),
        "segment": tuple(contributions["segment"].get(segment, ())) if segment else (),
        "language": language_reason if language else (),
    }
    return JourneyState(
        phase=phase,
        persona=persona,
        segment=segment,
        language=language or default_language,
        persona_scores=scores["persona"],
        segment_scores=scores["segment"],
        touchpoint=touchpoint_found,
        reasons=reasons,
        rules_phase=rules_phase,
    )


def weighed_messages(turns: Sequence[Turn], model: EvidenceModel, signal: JourneySignal) -> list[MessagePhase]:
    """What each message said about the phase, for the conversation phase model: its evidence's phase (the
    first, as the rules read it) and the learned signal's phase probabilities (typed messages only)."""
    found, typed = [], 0
    for turn in turns:
        evidences = message_evidence(turn, model, signal)
        phase = next((e.phase for e in evidences if e.phase), None)
        if turn.typed and (turn.text or "").strip():
            typed += 1
            found.append(MessagePhase(typed, phase, signal.probabilities(turn.text)["phase"]))
        else:
            typed += turn.typed
            found.append(MessagePhase(None, phase, {}))
    return found


def _weighed_reason(phase: str, probability: float, messages: Sequence[MessagePhase]) -> Reason:
    """The reason for a phase the conversation phase model chose over the rules': the model's probability, at the
    latest message whose evidence or learned reading points to that phase (else the latest typed message)."""
    typed = [m for m in messages if m.number is not None]
    pointing = [m for m in typed
                if m.phase == phase or max(m.probabilities, key=m.probabilities.__getitem__, default=None) == phase]
    chosen = (pointing or typed or [MessagePhase(None, None, {})])[-1]
    return Reason(chosen.number, "conversation", probability, probability)


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
