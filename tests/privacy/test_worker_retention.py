"""The worker (a real `python -m bot.sales.worker` process) deletes what has expired when it starts, and logs how many
rows per table; a recent conversation stays."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT
from bot.db import create_tables, make_engine, make_session_factory
from bot.privacy.audit import recent
from bot.rasa_plugins.tracker_store import SettingsSQLTrackerStore


def conversation(store: SettingsSQLTrackerStore, sender: str, days_ago: float, text: str) -> None:
    moment = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days_ago)).timestamp()

    events = [ActionExecuted("action_listen", timestamp=moment), SlotSet("language", "de", timestamp=moment + 1),
              UserUttered(text, {"name": "greet", "confidence": 1.0}, timestamp=moment + 2)]  # fmt: skip
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events, store.domain.slots)))


def test_the_worker_expires_old_conversations_at_start_and_logs_the_counts(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    create_tables(engine)
    store = SettingsSQLTrackerStore(Domain.load(str(PROJECT_ROOT / "domain")))
    conversation(store, "old-visitor", 40, "Hallo, ich bin Eva, eva@example.de")
    conversation(store, "new-visitor", 2, "Hallo")
    env = {**os.environ, "DATABASE_URL": url, "RETENTION_CONVERSATION_DAYS": "30", "SMTP_HOST": "",
           "HANDOFF_WEBHOOK_URL": "", "LOG_DIR": str(tmp_path)}  # fmt: skip
    worker = subprocess.Popen([sys.executable, "-m", "bot.sales.worker"], cwd=PROJECT_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not recent(make_session_factory(engine)):
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    (record,) = recent(make_session_factory(engine))
    assert (record.actor, record.action, record.conversations) == ("retention", "retention", 1)
    assert "Retention: 1 conversation(s) expired" in output and "events 3" in output, output
    with engine.connect() as connection:
        left = dict(connection.exec_driver_sql("SELECT sender_id, count(*) FROM events GROUP BY sender_id").all())
    assert left == {"new-visitor": 3}
