"""Meetings booked in the chat (bot/sales/meetings.py): free slots of the routed salesperson as buttons, the chosen one
booked, the link to the invitation, rebooking and cancelling."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.aftersale import new_request
from actions.base import ServiceAction
from bot.journey.touchpoint import page_context
from bot.sales import meetings
from bot.sales.routing import Salesperson
from bot.sales.store import get_handoff
from bot.services import Services
from bot.text import markdown_literal


def visitor_time_zone(tracker: Tracker) -> str:
    """The time zone the visitor's browser sent with their latest message that had one (the widget's page context)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            zone = page_context(event.get("metadata")).get("time_zone")
            if isinstance(zone, str) and zone:
                return str(meetings.visitor_zone(zone))
    return meetings.DEFAULT_TIME_ZONE


def meeting_button(services: Services, tracker: Tracker) -> dict[str, str]:
    return {"title": services.messages.get().render("meeting_button", tracker.get_slot("language")),
            "payload": "/request_meeting"}  # fmt: skip


def slot_buttons(slots: list[dt.datetime], time_zone: str, language: str) -> list[dict[str, str]]:
    return [{"title": meetings.slot_label(start, time_zone, language),
             "payload": f'/request_meeting{{"meeting_start": "{start.strftime("%Y-%m-%dT%H:%MZ")}"}}'}
            for start in slots]  # fmt: skip


def chosen_start(tracker: Tracker) -> dt.datetime | None:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "meeting_start":
            try:
                return dt.datetime.strptime(str(entity.get("value")), "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.timezone.utc)
            except ValueError:
                return None
    return None


class ActionBookMeeting(ServiceAction):
    """Without a chosen slot: the routed salesperson's next free slots as buttons. With one (a button's payload):
    books it, or offers the next free ones if someone was faster. A household gets self-service; without a stored
    request the lead form comes first; nothing free: the call-back question."""

    def name(self) -> str:
        return "action_book_meeting"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("segment") == "b2c":
            self.say(dispatcher, tracker, "lead_self_service")
            return [SlotSet("contact_path", "self_service"), SlotSet("meeting_state", None)]
        handoff_id = tracker.get_slot("handoff_id")
        handoff = get_handoff(self.services.session_factory, int(handoff_id)) if handoff_id else None
        if handoff is None or (tracker.get_slot("handoff_kind") or "sales") != "sales":
            self.say(dispatcher, tracker, "meeting_needs_contact")
            return [*new_request(tracker), SlotSet("contact_path", "lead"), SlotSet("meeting_state", None),
                    SlotSet("handoff_kind", "sales")]  # fmt: skip
        team = self.services.team.get()
        person = team.people.get(handoff.get("assignee") or "") or next(iter(team.salespeople.values()))
        language, zone, now = tracker.get_slot("language") or "de", visitor_time_zone(tracker), self.services.now()
        start = chosen_start(tracker)
        if start is not None:
            try:
                meeting, token = meetings.book(self.services.session_factory, int(handoff_id), person, start, zone,
                                               language, self.services.settings.handoff_channels, now)  # fmt: skip
            except meetings.SlotTaken:
                self.say(dispatcher, tracker, "meeting_taken")
            else:
                link = f"{self.services.settings.web_base_url.rstrip('/')}/meetings/{token}"
                self.say(dispatcher, tracker, "meeting_booked", salesperson=markdown_literal(person.name), link=link,
                         when=meetings.slot_label(meeting.starts_at, zone, language), minutes=meeting.minutes)
                return [SlotSet("contact_path", None), SlotSet("meeting_state", "booked"),
                        SlotSet("lead_callback_time", meetings.slot_label(meeting.starts_at, zone, language))]
        return self.offer(dispatcher, tracker, person, zone, language, now)

    def offer(self, dispatcher: CollectingDispatcher, tracker: Tracker, person: Salesperson, zone: str,
              language: str, now: dt.datetime) -> list[EventType]:  # fmt: skip
        booked = meetings.booked_starts(self.services.session_factory, person.id, now)
        slots = meetings.free_slots(person, booked, now)
        if not slots:
            self.say(dispatcher, tracker, "meeting_none", salesperson=markdown_literal(person.name))
            return [SlotSet("contact_path", None), SlotSet("meeting_state", "none")]
        text = self.services.messages.get().render("meeting_choose", language, time_zone=zone,
                                                   salesperson=markdown_literal(person.name))  # fmt: skip
        dispatcher.utter_message(text=text, buttons=slot_buttons(slots, zone, language))
        return [SlotSet("contact_path", None), SlotSet("meeting_state", "offered")]
