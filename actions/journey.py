"""Tracks where the visitor stands in the journey, after every message."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ServiceAction
from bot.journey import infer_journey, turns_from_events


class ActionTrackJourney(ServiceAction):
    """Sets journey_phase, persona, segment, language and the first touchpoint from the conversation so far.

    Rasa runs it inside action_extract_slots after each visitor message (the slots' custom
    mapping names it), so the answer to that message already sees the updated slots.
    """

    def name(self) -> str:
        return "action_track_journey"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        state = infer_journey(
            turns_from_events(tracker.events),
            self.services.evidence.get(),
            default_language=self.services.settings.default_language,
        )
        slots = {
            "journey_phase": state.phase,
            "persona": state.persona,
            "segment": state.segment,
            "language": state.language,
            "touchpoint": state.touchpoint,
        }
        return [SlotSet(name, value) for name, value in slots.items() if tracker.get_slot(name) != value]
