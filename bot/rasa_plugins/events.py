"""Looking up an event's class by its type name once (runs inside the Rasa process).

Rasa turns each event of an action server's response into its class by walking every subclass of
`Event` (about 30, recursively) until one has the type name: for every event of every action call,
about a tenth of a millisecond each. The classes do not change while the server runs, so the
answer is kept per type name; unknown names still go to Rasa's own lookup (and its error).
"""

from __future__ import annotations

from typing import Any

_found: dict[str, Any] = {}
_rasas: dict[str, Any] = {}


def resolve_by_type(type_name: str, default: Any = None) -> Any:
    """`Event.resolve_by_type`, with each found class kept."""
    cls = _found.get(type_name)
    if cls is not None:
        return cls
    try:
        cls = _rasas["resolve_by_type"](type_name, None)
    except ValueError:
        if default is not None:
            return default
        raise
    if cls is not None:  # None: an old "topic" event, which Rasa skips
        _found[type_name] = cls
    return cls


def install() -> None:
    """Puts the kept lookup in place of Rasa's; called once when our Rasa process starts."""
    from rasa.shared.core.events import Event

    if _rasas:
        return
    _rasas["resolve_by_type"] = Event.resolve_by_type
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]
