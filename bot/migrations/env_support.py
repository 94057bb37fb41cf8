"""What Alembic's environment (env.py, which runs migrations when imported) shares with tests and tools."""

from __future__ import annotations

from typing import Any


def include_object(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    """Only our own tables: a reflected table our metadata does not know (Rasa's `events`) is not ours."""
    return not (kind == "table" and reflected and compare_to is None)
