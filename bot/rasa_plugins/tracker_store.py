"""Rasa's SQL tracker store, configured from DATABASE_URL (any SQLAlchemy URL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine import make_url

from bot.config import load_settings


class SettingsSQLTrackerStore(SQLTrackerStore):
    """Stores conversations in the database named by DATABASE_URL (an SQLite file by default).

    endpoints.yml names it as `type: bot.rasa_plugins.tracker_store.SettingsSQLTrackerStore`; Rasa builds it
    once at server start, which is when the setting is read.
    """

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        **_endpoint_options: Any,
    ) -> None:
        database_url = load_settings().database_url
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLTrackerStore takes a complete URL in `host` as it is.
        super().__init__(domain=domain, host=database_url, event_broker=event_broker)
