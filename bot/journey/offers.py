"""The next step the bot offers a visitor, by persona, phase and segment (data/journey/offers.yml)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.journey.evidence import PERSONAS, PHASES
from bot.reloading import load_yaml_file


class OffersError(ValueError):
    """The offers file is inconsistent; the message says where."""


@dataclass(frozen=True)
class Offer:
    name: str
    deliver: str
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfferPlan:
    offers: Mapping[str, Offer]
    by_persona: Mapping[str, tuple[str, ...]]
    by_phase: Mapping[str, Mapping[str, tuple[str, ...]]]

    def candidates(self, persona: str | None, phase: str | None, segment: str | None) -> list[str]:
        """Offer names in order of preference for this visitor."""
        names = list(self.by_persona.get(persona or "", ()))
        if phase in ("retention", "advocacy"):
            return []
        by_segment = self.by_phase.get(phase or "awareness", {})
        names += by_segment.get(segment or "any", by_segment.get("any", ()))
        return list(dict.fromkeys(names))


def choose_offer(
    plan: OfferPlan,
    *,
    persona: str | None,
    phase: str | None,
    segment: str | None,
    asked: Collection[str],
    already_offered: Collection[str],
) -> Offer | None:
    """The first fitting offer not made before and not answering a question the visitor already asked.

    `asked` holds the intents of the visitor's messages so far.
    """
    for name in plan.candidates(persona, phase, segment):
        offer = plan.offers[name]
        if name in already_offered or any(intent in offer.answers for intent in asked):
            continue
        return offer
    return None


def _names(raw: Any, known: Mapping[str, Offer], where: str) -> tuple[str, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise OffersError(f"{where}: expected a list of offer names, got {raw!r}")
    for name in raw:
        if name not in known:
            raise OffersError(f"{where}: unknown offer {name!r}; defined: {', '.join(known)}")
    return tuple(raw)


def parse_offers(document: Any) -> OfferPlan:
    if not isinstance(document, Mapping) or not isinstance(document.get("offers"), Mapping):
        raise OffersError("the file needs a top-level 'offers:' mapping")
    offers: dict[str, Offer] = {}
    for name, raw in document["offers"].items():
        if not isinstance(raw, Mapping) or not raw.get("deliver"):
            raise OffersError(f"offers.{name}: needs 'deliver' (a response or an action)")
        offers[str(name)] = Offer(str(name), str(raw["deliver"]), tuple(raw.get("answers") or ()))
    by_persona = {}
    for persona, raw in (document.get("by_persona") or {}).items():
        if persona not in PERSONAS:
            raise OffersError(f"by_persona.{persona}: unknown persona; allowed: {', '.join(PERSONAS)}")
        by_persona[str(persona)] = _names(raw, offers, f"by_persona.{persona}")
    by_phase: dict[str, dict[str, tuple[str, ...]]] = {}
    for phase, raw in (document.get("by_phase") or {}).items():
        if phase not in PHASES:
            raise OffersError(f"by_phase.{phase}: unknown phase; allowed: {', '.join(PHASES)}")
        by_phase[str(phase)] = {}
        for segment, names in (raw or {}).items():
            if segment not in ("b2b", "b2c", "any"):
                raise OffersError(f"by_phase.{phase}.{segment}: use b2b, b2c or any")
            by_phase[str(phase)][str(segment)] = _names(names, offers, f"by_phase.{phase}.{segment}")
    return OfferPlan(offers=offers, by_persona=by_persona, by_phase=by_phase)


def load_offers(path: Path) -> OfferPlan:
    """Read and check the file; errors name the file and the place in it."""
    return load_yaml_file(path, parse_offers, OffersError)
