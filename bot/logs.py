"""Log hygiene shared by every process: secrets in URLs never reach a log file."""

from __future__ import annotations

import logging
import re
from typing import Any

# `token=...` (Rasa's HTTP API takes its token only as a query parameter) and our own secrets.
_SECRET_QUERY = re.compile(r"((?:^|[?&;\s\"'])(?:token|auth_token|access_token|password)=)[^&\s\"';]+", re.IGNORECASE)
_REDACTED = r"\1[redacted]"


def scrub(text: str) -> str:
    """The text with the values of `token=` (and similar) query parameters replaced."""
    return _SECRET_QUERY.sub(_REDACTED, text)


def _scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a broken format string: leave it to the handler to report
        return
    if "=" in message:
        record.msg, record.args = scrub(message), ()
    for key, value in list(vars(record).items()):  # e.g. Sanic's access log puts the URL in `request`
        if key not in ("msg", "args") and isinstance(value, str) and "=" in value:
            setattr(record, key, scrub(value))


def install_secret_scrubbing() -> None:
    """Scrub every log record this process makes, whichever logger or handler it goes to.

    Rasa and Sanic install their own handlers after start-up, and Sanic's access log adds the URL
    as an `extra` after the record factory has run, so the hook is `Logger.makeRecord` itself
    (which every logger, already created or not, inherits).
    """
    make_record = logging.Logger.makeRecord
    if getattr(make_record, "scrubs_secrets", False):
        return

    def scrubbing_make_record(self: logging.Logger, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(self, *args, **kwargs)
        _scrub_record(record)
        return record

    scrubbing_make_record.scrubs_secrets = True  # type: ignore[attr-defined]
    logging.Logger.makeRecord = scrubbing_make_record  # type: ignore[method-assign]
