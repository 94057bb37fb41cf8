"""The services the actions use, built once per process on first use (never at import)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial

from sqlalchemy.orm import sessionmaker

from bot.catalogue.remote import CatalogueApiClient, RemoteCatalogue, RemoteSettings
from bot.catalogue.service import LocalCatalogue
from bot.config import Settings, load_settings
from bot.conversation.knowledge import KNOWLEDGE_FILE, KnowledgeIndex, load_index
from bot.db import create_tables, make_engine, make_session_factory
from bot.journey.evidence import EvidenceModel, load_evidence
from bot.journey.offers import OfferPlan, load_offers
from bot.journey.phase_model import PhaseModelFile
from bot.journey.signals import SignalFile
from bot.messages import Messages, load_messages
from bot.reloading import ReloadingFile
from bot.responses import Responses, load_responses
from bot.sales.routing import Team, load_team
from bot.website import Site, load_site

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    settings: Settings
    evidence: ReloadingFile[EvidenceModel]
    offers: ReloadingFile[OfferPlan]
    messages: ReloadingFile[Messages]
    catalogue: LocalCatalogue | RemoteCatalogue
    today: Callable[[], dt.date]
    session_factory: sessionmaker
    team: ReloadingFile[Team]
    website: ReloadingFile[Site]
    #: the learned journey signal (models/journey_signal.pkl from `make train`), re-read when retrained
    signal: SignalFile
    #: the conversation phase model (models/journey_phase.pkl from `make train`), re-read when retrained
    phase_model: PhaseModelFile
    #: the answers Rasa asks for through its NLG endpoint (data/content/responses.yml)
    responses: ReloadingFile[Responses]
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)
    # Knowledge entries and their retrieval index, rebuilt when data/content/knowledge.yml changes.
    knowledge: ReloadingFile[KnowledgeIndex] = field(default_factory=lambda: ReloadingFile(KNOWLEDGE_FILE, load_index))


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def build_services(
    settings: Settings, today: Callable[[], dt.date] = dt.date.today, now: Callable[[], dt.datetime] = _utc_now
) -> Services:
    engine = make_engine(settings.database_url)
    create_tables(engine)
    session_factory = make_session_factory(engine)
    catalogue: LocalCatalogue | RemoteCatalogue = LocalCatalogue(session_factory)
    if settings.catalogue_api_url:
        remote = RemoteSettings(settings.catalogue_api_url, timeout_s=settings.catalogue_api_timeout_s)
        catalogue = RemoteCatalogue(CatalogueApiClient(remote), catalogue, remote)
    return Services(
        settings=settings,
        evidence=ReloadingFile(settings.evidence_file, partial(load_evidence, questions=settings.questions_file),
                               also=[settings.questions_file]),
        offers=ReloadingFile(settings.offers_file, load_offers),
        messages=ReloadingFile(settings.messages_file, load_messages),
        catalogue=catalogue,
        today=today,
        session_factory=session_factory,
        team=ReloadingFile(settings.team_file, load_team),
        website=ReloadingFile(settings.website_file, load_site),
        signal=SignalFile(settings.journey_signal_file),
        phase_model=PhaseModelFile(settings.journey_phase_file),
        responses=ReloadingFile(settings.responses_file, partial(load_responses, questions=settings.questions_file),
                                also=[settings.questions_file]),
        now=now,
        knowledge=ReloadingFile(settings.knowledge_file, load_index),
    )


@cache
def get_services() -> Services:
    """The process-wide services, from the environment."""
    return build_services(load_settings())


def warm_up(services: Services) -> list[str]:
    """Reads every editor file and model once, so the first visitor does not wait for it (building the
    knowledge index imports scikit-learn: about a second). Returns what could not be read, each logged
    once with its reason; those are read again, and reported, when an action needs them."""
    failed: list[str] = []
    for name, read in (("evidence", services.evidence.get), ("offers", services.offers.get),
                       ("messages", services.messages.get), ("team", services.team.get),
                       ("website", services.website.get), ("signal", services.signal.get),
                       ("phase model", services.phase_model.get),
                       ("responses", services.responses.get),
                       ("knowledge", services.knowledge.get), ("catalogue", services.catalogue.products)):  # fmt: skip
        try:
            read()
        except Exception as exc:  # a broken file must not keep the action server from starting
            logger.warning("Warm-up: %s not read (%s); it is read again when an action needs it", name, exc)
            failed.append(name)
    return failed
