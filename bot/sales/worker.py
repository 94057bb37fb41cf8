"""`python -m bot.sales.worker`: delivers handoff notifications until stopped (started by `make run`).

Every ten minutes it also forgets the contact details of conversations that ended without
consent (bot/privacy/forget.py, PRIVACY_FORGET_AFTER_HOURS), and every ten seconds it takes the newest
conversation events into the journey dashboard's tables (bot/analytics/ingest.py). Once a day (first at its start)
it deletes what has expired (bot/privacy/retention.py, RETENTION_* settings) and logs how many rows per table. With
every round it tells the visitors whose live chat nobody took in time (bot/sales/live.py, LIVE_CLAIM_TIMEOUT_S).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import sys
import threading
import time
from functools import partial
from types import FrameType
from typing import Any

from bot.config import Settings
from bot.logs import install_secret_scrubbing
from bot.privacy.forget import forget_abandoned
from bot.privacy.retention import RetentionPolicy, sweep
from bot.sales.live import follow_up
from bot.sales.meetings import notice
from bot.sales.outbox import Channel, EmailChannel, WebhookChannel, deliver_due
from bot.sales.rasa_api import RasaConversations
from bot.services import Services, get_services

POLL_S = 2.0
PRIVACY_REVIEW_S = 600.0
ANALYTICS_S = 10.0
RETENTION_S = 24 * 3600.0
LIVE_RETRY_S = 30.0
logger = logging.getLogger(__name__)


def channels_from_settings(settings: Settings) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    inbox = settings.web_base_url
    if settings.handoff_webhook_url:
        channels["webhook"] = WebhookChannel(settings.handoff_webhook_url, settings.handoff_webhook_format,
                                             inbox_url=inbox)  # fmt: skip
    if settings.smtp_host and settings.sales_email_to:
        channels["email"] = EmailChannel(settings.smtp_host, settings.smtp_port, settings.smtp_from,
                                         settings.sales_email_to, settings.smtp_user, settings.smtp_password,
                                         inbox_url=inbox)  # fmt: skip
    return channels


def salesperson_language(services: Services, salesperson_id: str | None) -> str:
    """The first language of a salesperson in the team file (German when unknown or the file is broken)."""
    try:
        person = services.team.get().people.get(salesperson_id or "")
    except (ValueError, OSError):  # a broken or missing team file must not stop deliveries
        return "de"
    return person.languages[0] if person and person.languages else "de"


def team_address(services: Services, kind: str) -> str | None:
    """The support team's e-mail address for a support handoff (the team file's `support.email`); None otherwise."""
    if kind != "support":
        return None
    try:
        return services.team.get().support_email
    except (ValueError, OSError):  # a broken team file: the sales address still gets it
        return None


def _take_in_analytics(services: Services, failed: str | None) -> str | None:
    """The dashboard's tables brought up to date; a failure (the database away) is logged once, the worker goes on."""
    from bot.analytics.ingest import ingest

    try:
        ingest(services.session_factory.kw["bind"])
    except Exception as error:  # the deliveries must go on; the next round tries again
        reason = f"{type(error).__name__}: {error}"
        if reason != failed:
            logger.warning("Journey analytics not updated: %s", reason)
        return reason
    if failed is not None:
        logger.info("Journey analytics updated again")
    return None


def _expire(services: Services) -> float:
    """The daily retention sweep; seconds until the next one (an hour after a failure, which is logged)."""
    try:
        sweep(services.session_factory, services.now(), RetentionPolicy.from_settings(services.settings))
    except Exception as error:  # deliveries must go on
        logger.warning("Retention sweep failed, next try in an hour: %s: %s", type(error).__name__, error)
        return 3600.0
    return RETENTION_S


def _meeting_notice(services: Services, topic: str) -> dict[str, Any] | None:
    return notice(services.session_factory, services.team.get().people, topic, services.now())


def _live_timeouts(services: Services, rasa: RasaConversations, failed: dict[int, float]) -> None:
    """Live chats nobody took in time (LIVE_CLAIM_TIMEOUT_S): the visitor is told and offered a call back; chats
    whose salesperson left (no live page open for LIVE_ABANDON_S): the bot takes over again. A chat Rasa could not
    be told about is logged once and tried again after LIVE_RETRY_S, so a hung Rasa does not hold up the outbox."""
    settings = services.settings
    waiting = {chat_id for chat_id, at in failed.items() if time.monotonic() - at < LIVE_RETRY_S}
    try:
        failures = follow_up(services.session_factory, rasa, services.messages.get(), services.team.get(),
                             services.now(), settings.live_claim_timeout_s, settings.live_abandon_s,
                             skip=waiting)  # fmt: skip
    except Exception as error:  # deliveries must go on
        failures = {0: f"{type(error).__name__}: {error}"}
    for chat_id, reason in failures.items():
        if chat_id not in failed:
            logger.warning("Could not tell Rasa about live chat %s (the visitor waits for it): %s", chat_id, reason)
        failed[chat_id] = time.monotonic()
    for chat_id in set(failed) - set(failures) - waiting:  # told since
        del failed[chat_id]


def main() -> int:
    install_secret_scrubbing()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    services = get_services()
    channels = channels_from_settings(services.settings)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    logger.info("Outbox worker started; channels: %s", ", ".join(channels) or "none")
    idle = dt.timedelta(hours=services.settings.privacy_forget_after_hours)
    next_review = next_analytics = next_retention = 0.0
    failed: str | None = None  # the analytics' last failure, logged once until it changes
    rasa = RasaConversations(services.settings.rasa_url, services.settings.rasa_auth_token)
    live_failures: dict[int, float] = {}  # chat id -> when telling Rasa last failed
    while not stop.is_set():
        language = partial(salesperson_language, services)
        deliver_due(services.session_factory, channels, services.now, reader_language=language,
                    team_address=partial(team_address, services),
                    meeting_notice=partial(_meeting_notice, services))  # fmt: skip
        _live_timeouts(services, rasa, live_failures)
        if time.monotonic() >= next_review:  # contact details of conversations left without consent
            forget_abandoned(services.session_factory, services.now(), idle)
            next_review = time.monotonic() + PRIVACY_REVIEW_S
        if time.monotonic() >= next_retention:  # what has been kept long enough (RETENTION_*)
            next_retention = time.monotonic() + _expire(services)
        if time.monotonic() >= next_analytics:
            failed = _take_in_analytics(services, failed)
            next_analytics = time.monotonic() + ANALYTICS_S
        stop.wait(POLL_S)
    return 0


if __name__ == "__main__":
    sys.exit(main())
