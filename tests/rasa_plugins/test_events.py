"""The kept event-class lookup answers as Rasa's own (bot/rasa_plugins/events.py)."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot.rasa_plugins import events


@pytest.fixture(autouse=True)
def installed() -> None:
    events.install()


@pytest.mark.parametrize("cls", sorted(all_subclasses(Event), key=lambda c: c.__name__))
def test_every_event_type_resolves_to_rasas_class_every_time(cls: type) -> None:
    name = getattr(cls, "type_name", None)
    if not isinstance(name, str):
        pytest.skip("abstract event class without a type name")
    expected = next(c for c in all_subclasses(Event) if c.type_name == name)  # Rasa's walk
    assert Event.resolve_by_type(name) is expected
    assert Event.resolve_by_type(name, SlotSet) is expected  # kept, and the default does not change it


def test_unknown_and_old_names_behave_as_in_rasa() -> None:
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", UserUttered) is UserUttered
    assert Event.resolve_by_type("topic") is None


def test_an_action_servers_events_are_read_as_before() -> None:
    from rasa.shared.core.events import deserialise_events

    read = deserialise_events([{"event": "slot", "name": "segment", "value": "b2b"},
                               {"event": "bot", "text": "Hallo"}])  # fmt: skip
    assert read[0] == SlotSet("segment", "b2b")
    assert read[1].text == "Hallo"
