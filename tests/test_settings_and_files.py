"""Settings from the environment, and editor files that change while the bot runs."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot.catalogue.schema import ContentError
from bot.config import SettingsError, settings_from_env
from bot.journey.evidence import load_evidence
from bot.journey.offers import parse_offers
from bot.launcher import ensure_auth_token
from bot.reloading import ReloadingFile


def test_defaults_run_on_sqlite_with_german_first() -> None:
    settings = settings_from_env({})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("var/journey.db")
    assert (settings.rasa_port, settings.action_port, settings.default_language) == (5005, 5055, "de")
    assert settings.action_url == "http://localhost:5055/webhook"


def test_the_chat_accepts_the_web_apps_own_origin_unless_origins_are_set() -> None:
    assert settings_from_env({}).cors_origins == ("http://localhost:8000", "http://127.0.0.1:8000")
    assert settings_from_env({"WEB_PORT": "8080"}).cors_origins[0] == "http://localhost:8080"
    public = settings_from_env({"WEB_BASE_URL": "https://bot.example.com/", "RASA_PORT": "5006"})
    assert (public.cors_origins, public.chat_socket_url) == (("https://bot.example.com",), "http://localhost:5006")
    assert settings_from_env({"CORS_ORIGINS": "https://a.example, https://b.example"}).cors_origins == (
        "https://a.example", "https://b.example")  # fmt: skip


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RASA_PORT": "abc"}, "RASA_PORT must be a whole number, got 'abc'"),
        ({"ACTION_PORT": "70000"}, "ACTION_PORT must be a port between 1 and 65535"),
        ({"DEFAULT_LANGUAGE": "fr"}, "DEFAULT_LANGUAGE must be 'de' or 'en'"),
        ({"WIDGET_CONNECT_ON": "later"}, "WIDGET_CONNECT_ON must be one of open, mount"),
        ({"PRIVACY_FORGET_AFTER_HOURS": "0"}, "PRIVACY_FORGET_AFTER_HOURS must be between 0 and 8760 hours"),
        ({"CATALOGUE_API_TIMEOUT": "soon"}, "CATALOGUE_API_TIMEOUT must be a number of seconds"),
        ({"WEB_PROXIES": "many"}, "WEB_PROXIES must be a whole number from 0 to 10"),
    ],
)
def test_bad_settings_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        settings_from_env(env)


def test_a_missing_token_is_generated_into_env_without_touching_other_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("RASA_PORT=6000\nRASA_AUTH_TOKEN=\n", encoding="utf-8")
    ensure_auth_token(env_file)
    lines = env_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "RASA_PORT=6000"
    token = lines[1].removeprefix("RASA_AUTH_TOKEN=")
    assert len(token) >= 24 and os.environ["RASA_AUTH_TOKEN"] == token


def test_a_generated_token_never_starts_with_a_dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = iter(["-starts-with-a-dash-0123456", "fine-token-0123456789abcdef"])
    monkeypatch.setattr("bot.launcher.secrets.token_urlsafe", lambda size: next(drawn))
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("RASA_AUTH_TOKEN=\n", encoding="utf-8")
    ensure_auth_token(env_file)
    assert os.environ["RASA_AUTH_TOKEN"] == "fine-token-0123456789abcdef"  # a dash would read as an option


def test_an_edited_file_is_reread_and_a_broken_edit_keeps_the_last_good_version(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "evidence.yml"
    path.write_text("intents:\n  ask_roi: {phase: decision}\n", encoding="utf-8")
    source = ReloadingFile(path, load_evidence)
    assert source.get().intents["ask_roi"].phase == "decision"

    path.write_text("intents:\n  ask_roi: {phase: consideration}\n", encoding="utf-8")
    os.utime(path, (1, 1))  # a new modification time, as an editor's save gives
    assert source.get().intents["ask_roi"].phase == "consideration"

    path.write_text("intents:\n  ask_roi: {phase: shopping}\n", encoding="utf-8")
    os.utime(path, (2, 2))
    with caplog.at_level(logging.ERROR):
        assert source.get().intents["ask_roi"].phase == "consideration"
    assert "ask_roi.phase: unknown value 'shopping'" in caplog.text and str(path) in caplog.text


def test_a_broken_file_at_start_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "evidence.yml"
    path.write_text("intents: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match="not valid YAML"):
        ReloadingFile(path, load_evidence).get()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"offers": {"video": {}}}, "offers.video.deliver: is missing"),
        ({"offers": {"video": {"deliver": "utter_video"}}, "by_persona": {"nerd": ["video"]}},
         "by_persona: unknown name 'nerd'; use one of: skeptic, experience_seeker"),
        ({"offers": {"video": {"deliver": "utter_video"}}, "by_persona": {"skeptic": ["reviews"]}},
         "by_persona.skeptic[1]: unknown offer 'reviews'; defined: video"),
        ({"offers": {"video": {"deliver": "utter_video"}}, "by_phase": {"decision": {"b2x": ["video"]}}},
         "by_phase.decision: unknown name 'b2x'; use one of: b2b, b2c, any"),
        ({"offers": {"video": {"deliver": "utter_video"}}, "by_phase": {"decision": {"b2b": "video"}}},
         "by_phase.decision.b2b: must be a list"),
    ],
)  # fmt: skip
def test_offer_file_mistakes_are_reported(document: dict, message: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse_offers(document)
    assert any(message in str(problem) for problem in caught.value.problems), caught.value


def test_servers_listen_on_loopback_unless_a_setting_asks_for_more() -> None:
    defaults = settings_from_env({})
    assert (defaults.bind_host, defaults.action_bind_host, defaults.summary_link_days) == ("127.0.0.1", "127.0.0.1", 30)
    public = settings_from_env({"BIND_HOST": "0.0.0.0", "SUMMARY_LINK_DAYS": "7"})
    assert (public.bind_host, public.action_bind_host, public.summary_link_days) == ("0.0.0.0", "127.0.0.1", 7)
    with pytest.raises(SettingsError, match="SUMMARY_LINK_DAYS must be a number of days"):
        settings_from_env({"SUMMARY_LINK_DAYS": "a month"})


def test_the_generated_env_file_is_readable_by_its_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("ACTION_SERVER_TOKEN=\n", encoding="utf-8")
    env_file.chmod(0o644)
    ensure_auth_token(env_file, name="ACTION_SERVER_TOKEN")
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert len(os.environ["ACTION_SERVER_TOKEN"]) >= 24


def test_rasa_gets_its_token_inside_the_process_never_on_the_command_line() -> None:
    from bot.rasa_plugins.serve import rasa_arguments

    assert rasa_arguments(["run", "--enable-api"], "t0ken") == ["run", "--enable-api", "--auth-token", "t0ken"]
    assert rasa_arguments(["shell"], "") == ["shell"]
    with pytest.raises(SystemExit, match="RASA_AUTH_TOKEN is empty"):
        rasa_arguments(["run", "--enable-api"], "")
    with pytest.raises(SystemExit, match="not on the command line"):
        rasa_arguments(["run", "--enable-api", "--auth-token", "visible"], "t0ken")
