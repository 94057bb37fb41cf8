"""The next step the bot offers a visitor, by persona, phase and segment (data/journey/offers.yml)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.schemas import OffersFile, parse_offers_document, read_offers


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


def parse_offers(document: Any, display: str = "offers.yml") -> OfferPlan:
    """The offers from the file's parsed YAML; every mistake raised as one ContentError (file, line, field)."""
    return _plan(parse_offers_document(document, display))


def load_offers(path: Path) -> OfferPlan:
    """Read and check the file; every mistake raised as one ContentError naming the file, the line and the field,
    which a running bot answers by keeping the last good version (bot/reloading.py)."""
    return _plan(read_offers(path))


def _plan(checked: OffersFile) -> OfferPlan:
    offers = {str(name): Offer(str(name), e.deliver, tuple(e.answers)) for name, e in checked.offers.items()}
    by_persona = {str(persona): tuple(names) for persona, names in checked.by_persona.items()}
    by_phase = {str(phase): {str(segment): tuple(names) for segment, names in segments.items()}
                for phase, segments in checked.by_phase.items()}  # fmt: skip
    return OfferPlan(offers=offers, by_persona=by_persona, by_phase=by_phase)
