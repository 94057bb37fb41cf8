"""One frozen settings object, built from the environment (and `.env`, via python-dotenv)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting in the environment has a value we cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment. See `.env.example` for each value."""

    rasa_host: str
    rasa_port: int
    action_port: int
    rasa_auth_token: str
    database_url: str
    default_language: str
    cors_origins: tuple[str, ...]
    evidence_file: Path
    offers_file: Path
    log_level: str
    web_port: int = 8000
    # Interfaces the servers listen on: loopback unless a setting asks for more (docs/deploy.md).
    bind_host: str = "127.0.0.1"
    action_bind_host: str = "127.0.0.1"
    # Shared secret Rasa sends to the action server (X-Action-Token); the action server refuses
    # every other request to its API.
    action_server_token: str = ""
    # Rasa waits this long for the action server before the visitor gets an apology (bot/rasa_plugins/action_faults.py).
    action_timeout_s: float = 4.0
    # Rasa waits this long for an answer's text from the NLG endpoint before it renders the answer itself from
    # the same file (bot/rasa_plugins/nlg.py).
    nlg_timeout_s: float = 1.0
    # How many visitors' messages one Rasa process works on at once; later ones wait in order (0: no limit;
    # bot/rasa_plugins/admission.py).
    message_concurrency: int = 12
    # How many reverse proxies stand in front of the web app (their X-Forwarded-For is trusted).
    web_proxies: int = 0
    # Links to one-page summaries stop working after this many days.
    summary_link_days: float = 30.0
    web_base_url: str = "http://localhost:8000"
    catalogue_api_url: str | None = None
    catalogue_api_timeout_s: float = 1.5
    team_file: Path = PROJECT_ROOT / "data" / "sales" / "team.yml"
    website_file: Path = PROJECT_ROOT / "data" / "website" / "site.yml"
    responses_file: Path = PROJECT_ROOT / "data" / "content" / "responses.yml"
    questions_file: Path = PROJECT_ROOT / "data" / "content" / "questions.yml"
    # The chat texts around catalogue values, and the knowledge entries' answers (both editable in the editor area).
    messages_file: Path = PROJECT_ROOT / "data" / "content" / "messages.yml"
    knowledge_file: Path = PROJECT_ROOT / "data" / "content" / "knowledge.yml"
    # The NLU training data, where the editor area writes the examples editors assign (data/nlu/<language>/).
    nlu_dir: Path = PROJECT_ROOT / "data" / "nlu"
    # Where the served model is (journey.tar.gz) and where train-and-deploy keeps its jobs (bot/content/deploy.py).
    models_dir: Path = PROJECT_ROOT / "models"
    # The Rasa servers train-and-deploy swaps the model in, one after the other (cluster mode: every replica);
    # empty: the one at rasa_url.
    rasa_replica_urls: tuple[str, ...] = ()
    journey_signal_file: Path = PROJECT_ROOT / "models" / "journey_signal.pkl"
    journey_phase_file: Path = PROJECT_ROOT / "models" / "journey_phase.pkl"
    log_dir: Path = PROJECT_ROOT / "var" / "log"  # where `make run` writes each part's log
    # Cluster mode (`make run-cluster`, docs/deploy.md): Rasa replicas and action servers behind nginx, the
    # conversations in PostgreSQL (DATABASE_URL, or one started locally under var/ on cluster_postgres_port) and
    # Rasa's lock store in Redis (REDIS_URL, or one started locally on cluster_redis_port).
    rasa_replicas: int = 2
    action_replicas: int = 2
    redis_url: str | None = None
    cluster_postgres_port: int = 5433
    cluster_redis_port: int = 6380
    # On PostgreSQL, Rasa's event rows are committed without waiting for the disk (synchronous_commit off for the
    # tracker store's connections only): a crash of the database server may lose the last fraction of a second of
    # conversation events, never a handoff (docs/deploy.md). False: every commit waits for the disk.
    events_async_commit: bool = True
    cluster_dir: Path = PROJECT_ROOT / "var" / "cluster"  # nginx config, lock-store endpoints, local PostgreSQL data
    # This Rasa process's name among the replicas (set by the cluster launcher): socket.io session ids start
    # with it, so nginx sends every request of a widget's session to the replica that holds it.
    replica: str = ""
    chat_socket_url: str = "http://localhost:5005"
    widget_connect_on: str = "open"  # "mount" greets on page load, and needs consent (docs/website.md)
    privacy_forget_after_hours: float = 24.0
    nps_period_days: float = 90.0  # a customer is asked the NPS question at most once in this many days
    # retention in days (bot/privacy/retention.py, docs/privacy.md); 0 keeps that kind for ever
    retention_conversation_days: int = 90
    retention_handoff_days: int = 365
    retention_note_days: int = 365
    retention_outbox_days: int = 30
    privacy_contact_email: str = "datenschutz@wattwerk.example"  # named in the chat after a deletion
    # Live chat (bot/sales/live.py): how long a visitor waits for a salesperson to take the chat before the bot
    # apologises and offers a call back; how long after a salesperson's queue page last checked in they count as
    # there (the chat offers a person only while someone is); how long a salesperson may have no live page open before
    # the bot ends their chat and answers the visitor again.
    live_claim_timeout_s: int = 60
    live_presence_s: int = 30
    live_abandon_s: int = 120
    # The inbox links a lead to earlier ones with the same e-mail address within this many days (0: never).
    duplicate_lead_days: int = 30
    sales_api_token: str = ""
    handoff_webhook_url: str | None = None
    handoff_webhook_format: str = "generic"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "journey-bot@wattwerk.example"
    sales_email_to: str | None = None

    @property
    def handoff_channels(self) -> tuple[str, ...]:
        """The notification channels that are configured: webhook and/or email."""
        channels = []
        if self.handoff_webhook_url:
            channels.append("webhook")
        if self.smtp_host and self.sales_email_to:
            channels.append("email")
        return tuple(channels)

    @property
    def model_file(self) -> Path:
        """The model every Rasa server starts with; train-and-deploy replaces it (bot/content/deploy.py)."""
        return self.models_dir / "journey.tar.gz"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.rasa_host}:{self.action_port}/webhook"

    @property
    def nlg_url(self) -> str:
        """Rasa's NLG endpoint: the action server answers it from the editors' responses file."""
        return f"http://{self.rasa_host}:{self.action_port}/nlg"


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc
    if not 0 < value < 65536:
        raise SettingsError(f"{name} must be a port between 1 and 65535, got {value}")
    return value


def _count(env: dict[str, str], name: str, default: int, maximum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) > maximum:
        raise SettingsError(f"{name} must be a whole number from 0 to {maximum}, got {raw!r}")
    return int(raw)


def _amount(env: dict[str, str], name: str, default: float, unit: str, maximum: float) -> float:
    """A positive number of `unit` up to `maximum` (seconds of a timeout, hours of a retention)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number of {unit}, got {raw!r}") from exc
    if not 0 < value <= maximum:
        raise SettingsError(f"{name} must be between 0 and {maximum:g} {unit}, got {value}")
    return value


def _choice(env: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = env.get(name, "").strip().lower() or choices[0]
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _path(env: dict[str, str], name: str, default: str) -> Path:
    path = Path(env.get(name, "").strip() or default)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _own_origins(web_base_url: str | None, web_port: int) -> tuple[str, ...]:
    """Without CORS_ORIGINS: the web app's own origin (WEB_BASE_URL, or localhost and 127.0.0.1 on WEB_PORT)."""
    if web_base_url:
        parsed = urlparse(web_base_url)
        return (f"{parsed.scheme}://{parsed.netloc}",)
    return (f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}")


def settings_from_env(env: dict[str, str]) -> Settings:
    """Build settings from a mapping (the process environment in production, a dict in tests)."""
    language = env.get("DEFAULT_LANGUAGE", "de").strip().lower() or "de"
    if language not in ("de", "en"):
        raise SettingsError(f"DEFAULT_LANGUAGE must be 'de' or 'en', got {language!r}")
    origins = tuple(o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip())
    rasa_port, web_port = _int(env, "RASA_PORT", 5005), _int(env, "WEB_PORT", 8000)
    web_base_url = env.get("WEB_BASE_URL", "").strip() or None
    return Settings(
        rasa_host=env.get("RASA_HOST", "localhost").strip() or "localhost",
        rasa_port=rasa_port,
        action_port=_int(env, "ACTION_PORT", 5055),
        rasa_auth_token=env.get("RASA_AUTH_TOKEN", "").strip(),
        database_url=env.get("DATABASE_URL", "").strip() or f"sqlite:///{PROJECT_ROOT / 'var' / 'journey.db'}",
        default_language=language,
        cors_origins=origins or _own_origins(web_base_url, web_port),
        evidence_file=_path(env, "EVIDENCE_FILE", "data/journey/evidence.yml"),
        offers_file=_path(env, "OFFERS_FILE", "data/journey/offers.yml"),
        log_level=env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO",
        web_port=web_port,
        bind_host=env.get("BIND_HOST", "").strip() or "127.0.0.1",
        action_bind_host=env.get("ACTION_BIND_HOST", "").strip() or "127.0.0.1",
        action_server_token=env.get("ACTION_SERVER_TOKEN", "").strip(),
        action_timeout_s=_amount(env, "ACTION_TIMEOUT", 4.0, "seconds", 300),
        nlg_timeout_s=_amount(env, "NLG_TIMEOUT", 1.0, "seconds", 60),
        message_concurrency=_count(env, "MESSAGE_CONCURRENCY", 12, maximum=1000),
        web_proxies=_count(env, "WEB_PROXIES", 0, maximum=10),
        summary_link_days=_amount(env, "SUMMARY_LINK_DAYS", 30.0, "days", 3650),
        web_base_url=(web_base_url or f"http://localhost:{web_port}").rstrip("/"),
        catalogue_api_url=env.get("CATALOGUE_API_URL", "").strip() or None,
        catalogue_api_timeout_s=_amount(env, "CATALOGUE_API_TIMEOUT", 1.5, "seconds", 60),
        team_file=_path(env, "TEAM_FILE", "data/sales/team.yml"),
        website_file=_path(env, "WEBSITE_FILE", "data/website/site.yml"),
        responses_file=_path(env, "RESPONSES_FILE", "data/content/responses.yml"),
        questions_file=_path(env, "QUESTIONS_FILE", "data/content/questions.yml"),
        messages_file=_path(env, "MESSAGES_FILE", "data/content/messages.yml"),
        knowledge_file=_path(env, "KNOWLEDGE_FILE", "data/content/knowledge.yml"),
        nlu_dir=_path(env, "NLU_DIR", "data/nlu"),
        models_dir=_path(env, "MODELS_DIR", "models"),
        rasa_replica_urls=tuple(
            url.strip().rstrip("/") for url in env.get("RASA_REPLICA_URLS", "").split(",") if url.strip()
        ),
        journey_signal_file=_path(env, "JOURNEY_SIGNAL_FILE", "models/journey_signal.pkl"),
        journey_phase_file=_path(env, "JOURNEY_PHASE_FILE", "models/journey_phase.pkl"),
        log_dir=_path(env, "LOG_DIR", "var/log"),
        rasa_replicas=max(1, _count(env, "RASA_REPLICAS", 2, maximum=8)),
        action_replicas=max(1, _count(env, "ACTION_REPLICAS", 2, maximum=8)),
        redis_url=env.get("REDIS_URL", "").strip() or None,
        cluster_postgres_port=_int(env, "CLUSTER_POSTGRES_PORT", 5433),
        cluster_redis_port=_int(env, "CLUSTER_REDIS_PORT", 6380),
        cluster_dir=_path(env, "CLUSTER_DIR", "var/cluster"),
        events_async_commit=_choice(env, "EVENTS_ASYNC_COMMIT", ("true", "false")) == "true",
        replica=env.get("JOURNEY_REPLICA", "").strip(),
        widget_connect_on=_choice(env, "WIDGET_CONNECT_ON", ("open", "mount")),
        privacy_forget_after_hours=_amount(env, "PRIVACY_FORGET_AFTER_HOURS", 24.0, "hours", 24 * 365),
        nps_period_days=_amount(env, "NPS_PERIOD_DAYS", 90.0, "days", 3650),
        retention_conversation_days=_count(env, "RETENTION_CONVERSATION_DAYS", 90, maximum=3650),
        retention_handoff_days=_count(env, "RETENTION_HANDOFF_DAYS", 365, maximum=3650),
        retention_note_days=_count(env, "RETENTION_NOTE_DAYS", 365, maximum=3650),
        retention_outbox_days=_count(env, "RETENTION_OUTBOX_DAYS", 30, maximum=3650),
        privacy_contact_email=env.get("PRIVACY_CONTACT_EMAIL", "").strip() or "datenschutz@wattwerk.example",
        live_claim_timeout_s=max(5, _count(env, "LIVE_CLAIM_TIMEOUT_S", 60, maximum=3600)),
        live_presence_s=max(10, _count(env, "LIVE_PRESENCE_S", 30, maximum=3600)),
        live_abandon_s=max(30, _count(env, "LIVE_ABANDON_S", 120, maximum=86400)),
        duplicate_lead_days=_count(env, "DUPLICATE_LEAD_DAYS", 30, maximum=3650),
        chat_socket_url=(env.get("CHAT_SOCKET_URL", "").strip() or f"http://localhost:{rasa_port}").rstrip("/"),
        sales_api_token=env.get("SALES_API_TOKEN", "").strip(),
        handoff_webhook_url=env.get("HANDOFF_WEBHOOK_URL", "").strip() or None,
        handoff_webhook_format=_choice(env, "HANDOFF_WEBHOOK_FORMAT", ("generic", "slack", "teams")),
        smtp_host=env.get("SMTP_HOST", "").strip() or None,
        smtp_port=_int(env, "SMTP_PORT", 25),
        smtp_user=env.get("SMTP_USER", "").strip(),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_from=env.get("SMTP_FROM", "").strip() or "journey-bot@wattwerk.example",
        sales_email_to=env.get("SALES_EMAIL_TO", "").strip() or None,
    )


def load_settings() -> Settings:
    """Read `.env` (without overriding variables already set) and build the settings."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    return settings_from_env(dict(os.environ))
