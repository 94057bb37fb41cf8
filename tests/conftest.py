"""Shared fixtures: the real evidence and offer files, and services built from a test environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, settings_from_env
from bot.journey.evidence import EvidenceModel, load_evidence
from bot.journey.offers import OfferPlan, load_offers
from bot.services import Services, build_services
from tests.running_bot import Bot, running_bot


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A PostgreSQL server of its own for a test module; its SQLAlchemy URL."""
    from tests.services.postgres import postgres_server

    with postgres_server() as (server_url, _data, _port):
        yield server_url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty database for each test, on SQLite and on PostgreSQL; also DATABASE_URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'journey.db'}"
    else:
        import uuid

        from bot.db import make_engine

        server_url = request.getfixturevalue("postgres")
        name = f"t{uuid.uuid4().hex[:12]}"
        engine = make_engine(server_url, autocommit=True)
        with engine.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        engine.dispose()
        url = server_url.rsplit("/", 1)[0] + "/" + name
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture(scope="session")
def evidence() -> EvidenceModel:
    return load_evidence(PROJECT_ROOT / "data" / "journey" / "evidence.yml")


@pytest.fixture(scope="session")
def offers() -> OfferPlan:
    return load_offers(PROJECT_ROOT / "data" / "journey" / "offers.yml")


@pytest.fixture()
def services(tmp_path: Path) -> Services:
    """Services on a fresh SQLite file. Without the learned journey signal: what the actions do follows from
    the evidence file alone, whatever `make train` last produced (tests/journey/ covers the signal)."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}", "JOURNEY_SIGNAL_FILE": str(tmp_path / "none.pkl"),
           "JOURNEY_PHASE_FILE": str(tmp_path / "none-phase.pkl")}
    return build_services(settings_from_env(env))


@pytest.fixture(scope="session")
def catalogue_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file, migrated and with the shipped catalogue loaded, that each test copies (loading takes 2 s)."""
    from bot.catalogue.loader import load_catalogue
    from bot.db import create_tables, make_engine, make_session_factory

    path = tmp_path_factory.mktemp("catalogue-template") / "catalogue.db"
    engine = make_engine(f"sqlite:///{path}")
    create_tables(engine)
    load_catalogue(make_session_factory(engine))
    engine.dispose()
    return path


@pytest.fixture()
def catalogue_services(tmp_path: Path, catalogue_template: Path) -> Services:
    """Services on a fresh SQLite file with the shipped catalogue loaded, on a fixed day."""
    import datetime as dt
    import shutil

    path = tmp_path / "catalogue.db"
    shutil.copyfile(catalogue_template, path)
    env = {"DATABASE_URL": f"sqlite:///{path}", "JOURNEY_SIGNAL_FILE": str(tmp_path / "none.pkl"),
           "JOURNEY_PHASE_FILE": str(tmp_path / "none-phase.pkl")}
    return build_services(settings_from_env(env), today=lambda: dt.date(2026, 11, 23))


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    """The whole bot running on free ports (tests/running_bot.py), shared by the end-to-end tests."""
    yield from running_bot(tmp_path_factory)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium for the browser tests of one module (tests/browser.py), with axe-core for their accessibility checks."""
    from tests.browser import AXE, chromium

    if not AXE.exists():
        pytest.fail(f"axe-core is missing ({AXE}): run `make install` (npm ci in website/)")
    with chromium() as (_, chromium_browser):
        yield chromium_browser
