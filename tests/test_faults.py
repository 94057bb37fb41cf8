"""Faults `make run` must survive, against real processes: the launcher as `make run` starts it, and
its action server hung (SIGSTOP) or killed (SIGKILL), and its web app killed. And an editor's saved answer, which
the running bot says at once.

A visitor is never left in silence: while the action server hangs or is down, a message gets an
apology in the visitor's language within 5 s; a dead part is started again by the launcher and the
conversation goes on by itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT, Settings, settings_from_env
from bot.db import create_tables, make_engine, make_session_factory
from tests.running_bot import free_port, say_rest
from tests.services.processes import find_pid

APOLOGY = {"de": "hakt es gerade", "en": "something on my side is stuck"}
PRICE_QUESTION = {"de": "Was kostet Wattwerk Home?", "en": "How much is Wattwerk Home?"}
PRICE_ANSWER = {"de": "Das kostet Wattwerk Home", "en": "This is what Wattwerk Home costs"}


@dataclass
class Launched:
    process: subprocess.Popen[bytes]
    settings: Settings
    output: Path

    @property
    def rasa_log(self) -> str:
        return (self.output.parent / "log" / "rasa.log").read_text(errors="replace")

    def say(self, message: str, sender: str | None = None) -> str:
        status, replies = say_rest(self.settings.rasa_url, sender or uuid.uuid4().hex, message)
        assert status == 200, f"HTTP {status}: {replies}"
        return "\n".join(str(reply.get("text", "")) for reply in replies)

    def pid(self, module: str, port: int) -> int | None:
        """The process running `python -m <module> --port <port>`, as the launcher started it."""
        return find_pid(f"-m {module} ", f"--port {port} ")

    def wait_for(self, check: Any, seconds: float, what: str) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"{what} not within {seconds:g} s; launcher output:\n{self.output.read_text()[-3000:]}")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def launched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launched]:
    """`python -m bot.launcher run` (what `make run` starts) on free ports with its own database and logs."""
    workdir = tmp_path_factory.mktemp("faults")
    rasa_port, web_port = free_port(), free_port()
    values = {
        "RASA_AUTH_TOKEN": "faults-" + uuid.uuid4().hex[:8],
        "SALES_API_TOKEN": "faults-sales-" + uuid.uuid4().hex[:8],
        "ACTION_SERVER_TOKEN": "faults-action-" + uuid.uuid4().hex[:8],
        "RASA_HOST": "localhost",
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(free_port()),
        "WEB_PORT": str(web_port),
        "CORS_ORIGINS": f"http://localhost:{web_port}",
        "DATABASE_URL": f"sqlite:///{workdir / 'journey.db'}",
        "LOG_DIR": str(workdir / "log"),
        "DEFAULT_LANGUAGE": "de",
        "ACTION_TIMEOUT": "3",
        "RESPONSES_FILE": str(workdir / "responses.yml"),  # a copy the tests edit as an editor would
    }
    shutil.copy(PROJECT_ROOT / "data" / "content" / "responses.yml", workdir / "responses.yml")
    settings = settings_from_env(values)
    engine = make_engine(settings.database_url)
    create_tables(engine)
    load_catalogue(make_session_factory(engine))
    output = workdir / "launcher.out"
    with output.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "bot.launcher", "run"], cwd=PROJECT_ROOT,
                                   env=os.environ | values, stdout=sink, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    launched = Launched(process, settings, output)
    try:
        launched.wait_for(lambda: b"Journey Bot is running" in output.read_bytes() or process.poll() is not None,
                          180, "the launcher's start")  # fmt: skip
        assert process.poll() is None, output.read_text()
        yield launched
    finally:
        process.send_signal(signal.SIGTERM)  # the launcher stops its parts, as on Ctrl-C
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        for part in ("bot.action_server", "bot.web.app"):
            port = settings.action_port if part == "bot.action_server" else settings.web_port
            left = launched.pid(part, port)
            if left:
                os.kill(left, signal.SIGKILL)


def test_a_saved_answer_is_live_within_10_s_without_training_or_restart(launched: Launched) -> None:
    path = launched.settings.responses_file
    original = path.read_text(encoding="utf-8")
    assert "Hallo und willkommen bei Wattwerk!" in launched.say("Hallo")
    edited = "Servus und herzlich willkommen bei Wattwerk, schön, dass Sie da sind!"
    path.write_text(original.replace("Hallo und willkommen bei Wattwerk!", edited, 1), encoding="utf-8")
    saved = time.monotonic()
    try:
        launched.wait_for(lambda: edited in launched.say("Hallo"), 10, "the edited greeting")
        took = time.monotonic() - saved
        broken = original.replace('  utter_greet:\n    de: "', '  utter_greet:\n    de: "{name} ', 1)
        path.write_text(broken, encoding="utf-8")  # a broken edit: the last good version stays in service
        assert edited in launched.say("Hallo")
    finally:
        path.write_text(original, encoding="utf-8")
    assert "NLG endpoint" not in launched.rasa_log, "the answers came from the action server's NLG endpoint"
    assert "Keeping the previous version of" in (launched.output.parent / "log" / "actions.log").read_text()
    print(f"edited answer live after {took:.2f} s")


def test_a_hung_action_server_does_not_hold_up_the_answers(launched: Launched) -> None:
    """Rasa renders the answer from the same file itself when the NLG endpoint does not answer within NLG_TIMEOUT."""
    actions = launched.pid("bot.action_server", launched.settings.action_port)
    assert actions is not None
    os.kill(actions, signal.SIGSTOP)
    try:
        started = time.monotonic()
        reply = launched.say("Hallo")
        took = time.monotonic() - started
        again = launched.say("Hello")
        took_again = time.monotonic() - started - took
    finally:
        os.kill(actions, signal.SIGCONT)
    assert "Hallo und willkommen bei Wattwerk!" in reply and took < launched.settings.nlg_timeout_s + 1.5, took
    assert "Hello and welcome to Wattwerk!" in again and took_again < 1.0, "not asked again right away"
    assert launched.rasa_log.count("failed (no answer within the timeout): answering from") == 1


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_hung_action_server_gets_an_apology_within_5_s_and_the_chat_goes_on_after_sigcont(
    launched: Launched, language: str
) -> None:
    sender = uuid.uuid4().hex
    assert PRICE_ANSWER[language] in launched.say(PRICE_QUESTION[language], sender)
    actions = launched.pid("bot.action_server", launched.settings.action_port)
    assert actions is not None
    os.kill(actions, signal.SIGSTOP)
    try:
        started = time.monotonic()
        reply = launched.say(PRICE_QUESTION[language], sender)
        took = time.monotonic() - started
    finally:
        os.kill(actions, signal.SIGCONT)
    assert APOLOGY[language] in reply, reply
    assert took < 5.0, f"the apology took {took:.1f} s"
    assert PRICE_ANSWER[language] in launched.say(PRICE_QUESTION[language], sender)
    assert launched.pid("bot.action_server", launched.settings.action_port) == actions, "a hung server is no crash"


def test_a_killed_action_server_is_started_again_and_a_message_in_the_gap_gets_an_apology(launched: Launched) -> None:
    port = launched.settings.action_port
    killed = launched.pid("bot.action_server", port)
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    started = time.monotonic()
    assert APOLOGY["de"] in launched.say(PRICE_QUESTION["de"])  # not silence, not an empty reply
    fresh = launched.wait_for(lambda: (pid := launched.pid("bot.action_server", port)) != killed and pid, 5.0,
                              "a new action server process")  # fmt: skip
    assert time.monotonic() - started < 5.0
    launched.wait_for(lambda: _healthy(f"http://localhost:{port}/health"), 60, "the new action server's health")
    assert PRICE_ANSWER["de"] in launched.say(PRICE_QUESTION["de"])
    assert launched.pid("bot.action_server", port) == fresh
    assert "action server exited (code -9); starting it again" in launched.output.read_text()


def test_a_killed_web_app_is_started_again_while_the_chat_keeps_answering(launched: Launched) -> None:
    port = launched.settings.web_port
    killed = launched.pid("bot.web.app", port)
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    assert PRICE_ANSWER["en"] in launched.say(PRICE_QUESTION["en"])  # the chat does not depend on the web app
    launched.wait_for(lambda: _healthy(f"http://localhost:{port}/health"), 60, "the web app's health after the kill")
    assert launched.pid("bot.web.app", port) not in (None, killed)
    assert launched.process.poll() is None, "the launcher itself keeps running"


def test_the_dashboard_follows_the_chat_and_catches_up_after_the_worker_is_killed(launched: Launched) -> None:
    """The worker takes the conversations into the journey dashboard's tables (bot/analytics/ingest.py); killed, it
    is started again and takes in what was said meanwhile, each message once."""
    engine = make_engine(launched.settings.database_url)
    sender = uuid.uuid4().hex
    launched.say("Hallo", sender)
    launched.wait_for(lambda: _dashboard_messages(engine, sender) == 1, 30, "the conversation on the dashboard")
    worker = next(pid for pid in _children(launched.process.pid) if b"bot.sales.worker" in _cmdline(pid))
    os.kill(worker, signal.SIGKILL)
    launched.say(PRICE_QUESTION["de"], sender)
    launched.say("Danke!", sender)
    launched.wait_for(lambda: _dashboard_messages(engine, sender) == 3, 60, "the messages said while it was down")
    assert "outbox worker exited (code -9); starting it again" in launched.output.read_text()


def _dashboard_messages(engine: Any, sender: str) -> int | None:
    from bot.analytics.models import ConversationFacts

    facts = ConversationFacts.__table__
    with engine.connect() as connection:
        return connection.execute(sa.select(facts.c.messages).where(facts.c.sender_id == sender)).scalar()


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
