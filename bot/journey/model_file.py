"""A trained journey model on disk (the learned signal, the conversation phase model): saved whole, read when
it changes, and optional: without it (not trained yet, unreadable, from another version) the caller gets None,
logged once with the reason, and the bot works without that model."""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

Model = TypeVar("Model")


def save_model(model: Any, path: Path, key: str, format_version: int) -> None:
    """Written next to the old file and moved over it: a running bot never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    with partial.open("wb") as fh:
        pickle.dump({"format": format_version, key: model}, fh)
    os.replace(partial, path)


def load_model(path: Path, key: str, format_version: int, what: str, without: str) -> Any | None:
    """The model stored under `key`, or None (logged: `what` it is and what the bot does `without` it)."""
    try:
        with path.open("rb") as fh:
            stored = pickle.load(fh)  # our own training output (models/), never a visitor's file
    except FileNotFoundError:
        logger.warning("No %s at %s (run `make train`); %s", what, path, without)
        return None
    except Exception as exc:  # any unreadable file: logged once, the bot works without it
        logger.error("Cannot read the %s %s (%s); %s", what, path, exc, without)
        return None
    if not isinstance(stored, dict) or stored.get("format") != format_version:
        logger.error("The %s %s is from another version; run `make train`", what, path)
        return None
    return stored[key]


class ModelFile(Generic[Model]):
    """A model file, read on first use and again when `make train` replaces it (no restart)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._seen: float | None = -1.0
        self._model: Model | None = None

    def load(self, path: Path) -> Model | None:
        raise NotImplementedError

    def get(self) -> Model | None:
        try:
            mtime: float | None = self._path.stat().st_mtime
        except OSError:
            mtime = None
        if mtime != self._seen:
            self._model = self.load(self._path)
            self._seen = mtime
        return self._model
