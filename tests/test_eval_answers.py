"""The answer scorer's checking logic (scripts/eval_answers.py) on hand-made replies; no bot."""

from __future__ import annotations

import importlib.util
import sys
import urllib.error
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("eval_answers", ROOT / "scripts" / "eval_answers.py")
assert _spec is not None and _spec.loader is not None
ev = importlib.util.module_from_spec(_spec)
sys.modules["eval_answers"] = ev  # dataclasses look their module up
_spec.loader.exec_module(ev)

REPLY = "Für 25 Messpunkte: 100 € im Monat und einmalig 9.750 € für die Sensor-Kits.\nAngebot anfordern"


@pytest.mark.parametrize(
    ("expect", "reply", "fell_back", "failed_kinds"),
    [
        (ev.Expect(all=("100 €", "9.750")), REPLY, False, []),
        (ev.Expect(all=("100 €", "9.750", "Wattwerk Sense")), REPLY, False, ["all"]),
        (ev.Expect(all=("MESSPUNKTE", "angebot anfordern")), REPLY, False, []),  # case-insensitive, button title
        (ev.Expect(any=("9.750", "9,750")), REPLY, False, []),
        (ev.Expect(any=("LoRaWAN", "Modbus")), REPLY, False, ["any"]),
        (ev.Expect(none=("Wattwerk Home",)), REPLY, False, []),
        (ev.Expect(none=("wattwerk home",)), "Wattwerk Home passt für Haushalte.", False, ["none"]),
        (ev.Expect(regex=(r"9[.,]750",)), REPLY, False, []),
        (ev.Expect(regex=(r"\b49\b",)), REPLY, False, ["regex"]),
        (ev.Expect(all=("9.750 €",)), "einmalig 9.750\u00a0€", False, []),  # a no-break space is a space
        (ev.Expect(any=("Kontakt",)), "Kontakt", True, ["fallback"]),  # a fallback fails ...
        (ev.Expect(any=("Kontakt",), fallback=True), "Kontakt", True, []),  # ... unless allowed
        (ev.Expect(any=("Kontakt",), fallback=True), "Kontakt", False, []),  # allowed, not required
        (ev.Expect(all=("x",), none=("Kontakt",)), "Kontakt", True, ["all", "none", "fallback"]),
    ],
)
def test_check_reply(expect, reply, fell_back, failed_kinds):
    failures = ev.check_reply(expect, reply, fell_back)
    assert [ev.failure_kind(f) for f in failures] == failed_kinds


def test_reply_text_joins_texts_and_button_titles():
    messages = [
        {"recipient_id": "x", "text": "Wattwerk Sense misst pro Maschine."},
        {"recipient_id": "x", "text": "Wie geht es weiter?", "buttons": [
            {"title": "Preise", "payload": "/ask_price"}, {"title": "Demo", "payload": "/book_demo"}]},
        {"recipient_id": "x", "image": "https://example.org/x.png"},
    ]  # fmt: skip
    assert ev.reply_text(messages) == "Wattwerk Sense misst pro Maschine.\nWie geht es weiter?\nPreise\nDemo"
    assert ev.reply_text(None) == ""


def _user(intent: str) -> dict:
    return {"event": "user", "text": "…", "parse_data": {"intent": {"name": intent, "confidence": 0.9}}}


def _action(name: str) -> dict:
    return {"event": "action", "name": name}


@pytest.mark.parametrize(
    ("events", "start", "reasons"),
    [
        ([_action("action_listen"), _user("ask_price"), _action("action_product_price"), _action("action_listen")],
         0, []),
        ([_user("nlu_fallback"), _action("utter_fallback"), _action("action_listen")],
         0, ["intent nlu_fallback", "action utter_fallback"]),
        ([_user("ask_features"), _action("action_default_fallback"), _action("action_listen")],
         0, ["action action_default_fallback"]),
        ([_user("affirm"), _action("utter_default")], 0, ["action utter_default"]),
        # the previous turn fell back; this one (from index 3 on) did not
        ([_user("nlu_fallback"), _action("utter_fallback"), _action("action_listen"), _user("greet"),
          _action("utter_greet"), _action("action_listen")], 3, []),
    ],
)  # fmt: skip
def test_fallback_is_read_from_the_turns_events(events, start, reasons):
    user_event, after = ev.turn_events(events, start)
    assert ev.fallback_reasons(user_event, after) == reasons


def _file(*turns: dict, **conversation) -> dict:
    return {"conversations": [{"id": "de-test-01", "language": "de", "turns": list(turns), **conversation}]}


GOOD_TURN = {"user": "Hallo", "expect": {"any": ["Hallo", "Willkommen"]}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_file(GOOD_TURN, {"user": "Preis?", "expect": {"all": ["€"], "some": ["x"]}}),
         "conversation 'de-test-01', turn 2: unknown key(s) in expect: some"),
        (_file(GOOD_TURN, {"user": "Preis?", "expect": {}}), "conversation 'de-test-01', turn 2: expect needs"),
        (_file({"user": "Preis?", "expect": {"fallback": True}}), "conversation 'de-test-01', turn 1: expect needs"),
        (_file({"user": "Preis?", "expect": {"any": []}}), "turn 1: expect.any must be a non-empty list"),
        (_file({"user": "Preis?", "expect": {"all": "€"}}), "turn 1: expect.all must be a non-empty list"),
        (_file({"user": "Preis?", "expect": {"regex": ["(9"]}}), "turn 1: expect.regex '(9' is not a valid regex"),
        (_file({"user": "Preis?", "expect": {"any": ["€"], "fallback": "yes"}}), "turn 1: expect.fallback"),
        (_file({"user": "Preis?"}), "conversation 'de-test-01', turn 1: every turn needs an expect"),
        (_file({"user": "", "expect": {"any": ["€"]}}), "turn 1: user must be a non-empty string"),
        (_file({"text": "Preis?", "expect": {"any": ["€"]}}), "turn 1: unknown key(s): text"),
        (_file(GOOD_TURN, lang="de"), "conversation 'de-test-01': unknown key(s): lang"),
        (_file(GOOD_TURN, language="fr"), "conversation 'de-test-01': language must be"),
        (_file(), "conversation 'de-test-01': turns must be a non-empty list"),
        ({"conversations": [_file(GOOD_TURN)["conversations"][0]] * 2}, "conversation 'de-test-01': duplicate id"),
        ({"conversations": [{"language": "de", "turns": [GOOD_TURN]}]}, "conversation no. 1 has no id"),
        ({"conversations": []}, "'conversations' must be a non-empty list"),
        ({"conversations": [], "version": 1}, "single key 'conversations'"),
    ],
)  # fmt: skip
def test_malformed_files_name_the_file_conversation_and_turn(data, message):
    with pytest.raises(ev.SpecError) as raised:
        ev.parse_conversations(data, "tests/answers/x.yml")
    assert str(raised.value).startswith("tests/answers/x.yml")
    assert message in str(raised.value)


def test_a_well_formed_file_is_read():
    data = _file(GOOD_TURN, {"user": "Und Sense?", "expect": {"all": ["Sense"], "regex": [r"\b4\b"],
                                                              "fallback": False}}, note="a note")  # fmt: skip
    (conversation,) = ev.parse_conversations(data)
    assert conversation.note == "a note"
    assert conversation.turns[1].expect == ev.Expect(all=("Sense",), regex=(r"\b4\b",))


def test_a_key_written_twice_is_an_error_and_main_exits_2(tmp_path, capsys, monkeypatch):
    path = tmp_path / "dup.yml"
    path.write_text(
        "conversations:\n  - id: a\n    language: de\n    turns:\n"
        "      - user: Hallo\n        expect: {any: [Hallo], any: [Moin]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ev.SpecError, match="duplicate key 'any'"):
        ev.load_conversations(path)
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    assert ev.main([str(path)]) == 2
    assert str(path) in capsys.readouterr().err


class FakeBot:
    """Answers from a script of (reply messages or an exception, tracker events of the turn)."""

    def __init__(self, script):
        self.script = list(script)
        self.sent: list[tuple[str, str]] = []
        self.events_so_far: list[dict] = []
        self.pending: list[dict] = []

    def send(self, sender, message):
        self.sent.append((sender, message))
        reply, events = self.script.pop(0)
        self.pending = events
        if isinstance(reply, Exception):
            raise reply
        return reply

    def events(self, sender):
        self.events_so_far += self.pending
        self.pending = []
        return list(self.events_so_far)


def test_run_conversation_scores_each_turn_and_counts_failed_requests():
    conversation = ev.Conversation(
        id="en-x",
        language="en",
        turns=(
            ev.Turn("what does sense cost for 25 sensors", ev.Expect(any=("9,750", "9.750"))),
            ev.Turn("does it do lorawan", ev.Expect(any=("LoRaWAN",))),
            ev.Turn("whats the weather", ev.Expect(none=("€",), fallback=True)),
            ev.Turn("ok thanks", ev.Expect(any=("welcome",))),
        ),
    )
    bot = FakeBot([
        ([{"text": "€100 a month and €9,750 one-off."}], [_user("ask_price"), _action("action_product_price")]),
        ([{"text": "Sorry, I didn't get that."}], [_user("nlu_fallback"), _action("utter_fallback")]),
        ([{"text": "Sorry, I didn't get that."}], [_user("nlu_fallback"), _action("utter_fallback")]),
        (urllib.error.URLError(TimeoutError("timed out")), []),
    ])  # fmt: skip
    results = ev.run_conversation(bot, conversation)
    assert [r.met for r in results] == [True, False, True, False]
    assert results[1].failures == ["any: none of ['LoRaWAN']", "fallback: the turn fell back"]
    assert results[2].fell_back and results[2].met
    assert results[3].error and "timed out" in results[3].error
    assert [message for _, message in bot.sent] == [turn.user for turn in conversation.turns]  # no /page_view first
    summary = ev.summarise([conversation], results)
    assert (summary["met"], summary["fallbacks"], summary["unexpected_fallbacks"], summary["errors"]) == (2, 2, 1, 1)


def test_each_conversation_gets_a_fresh_sender():
    conversation = ev.Conversation("de-x", "de", (ev.Turn("Hallo", ev.Expect(any=("Hallo",))),))
    bot = FakeBot([([{"text": "Hallo"}], [_user("greet")])] * 2)
    ev.run_conversation(bot, conversation)
    ev.run_conversation(bot, conversation)
    assert bot.sent[0][0] != bot.sent[1][0]


def test_the_dev_set_is_well_formed():
    path = ROOT / "tests" / "answers" / "dev.yml"
    conversations = ev.load_conversations(path)
    assert len(conversations) >= 40
    assert all(2 <= len(c.turns) <= 5 for c in conversations)
    languages = [c.language for c in conversations]
    assert abs(languages.count("de") - languages.count("en")) <= len(conversations) // 5
    assert yaml.safe_load(path.read_text(encoding="utf-8"))  # plain YAML too
