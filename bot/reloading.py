"""Editor-owned files that the running bot re-reads when they change (no restart needed)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")
logger = logging.getLogger(__name__)


class ReloadingFile(Generic[T]):
    """Parses a file on first use and again whenever its modification time changes.

    A broken edit keeps the last good version in service and is logged once, so a typo
    in a content file never takes the bot down; with no good version yet, the error is raised.
    `also`: other files the parse reads (the questions next to the evidence); a change to any is a change.
    """

    def __init__(self, path: Path, parse: Callable[[Path], T], also: Sequence[Path] = ()) -> None:
        self._path = path
        self._parse = parse
        self._also = tuple(also)
        self._value: T | None = None
        self._seen_mtime: tuple[float, ...] | None = None
        self._error: ValueError | None = None

    @property
    def path(self) -> Path:
        return self._path

    def get(self) -> T:
        mtime = (self._path.stat().st_mtime, *(other.stat().st_mtime for other in self._also))
        if mtime != self._seen_mtime:
            self._seen_mtime = mtime
            self._error = None
            try:
                self._value = self._parse(self._path)
            except ValueError as exc:
                if self._value is None:
                    self._error = exc
                else:
                    logger.error("Keeping the previous version of %s: %s", self._path, exc)
        if self._value is None:  # broken from the start: the same error until the file changes
            raise self._error or ValueError(f"{self._path}: not loaded")
        return self._value
