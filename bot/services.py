"""The services the actions use, built once per process on first use (never at import)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bot.config import Settings, load_settings
from bot.journey import EvidenceModel, load_evidence
from bot.offers import OfferPlan, load_offers
from bot.reloading import ReloadingFile


@dataclass(frozen=True)
class Services:
    settings: Settings
    evidence: ReloadingFile[EvidenceModel]
    offers: ReloadingFile[OfferPlan]


def build_services(settings: Settings) -> Services:
    return Services(
        settings=settings,
        evidence=ReloadingFile(settings.evidence_file, load_evidence),
        offers=ReloadingFile(settings.offers_file, load_offers),
    )


@cache
def get_services() -> Services:
    """The process-wide services, from the environment."""
    return build_services(load_settings())
