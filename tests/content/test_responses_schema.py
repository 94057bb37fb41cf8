"""The answers file (data/content/responses.yml): the shipped file loads and covers every offer, every mistake an
editor can make names file, line and field, the right variation is chosen for the conversation, and the action
server's NLG endpoint answers Rasa's request from the file as it is now."""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.catalogue.schema import ContentError
from bot.config import PROJECT_ROOT
from bot.content.schemas import read_offers, read_responses
from bot.responses import Responses, answer_nlg_request, load_responses
from tests.running_bot import ACTION_TOKEN, Bot

SHIPPED = PROJECT_ROOT / "data" / "content" / "responses.yml"

GOOD = """\
version: 1
responses:
  utter_greet:
    de: "Hallo!"
    en: "Hello!"
    buttons:
      - {de: "Preise", en: "Prices", payload: /ask_price}
    variants:
      - when: {persona: technical}
        de: "Hallo! Technische Daten?"
        en: "Hello! Specifications?"
        buttons:
          - {de: "Technische Daten", en: "Specifications", payload: /ask_specs}
      - when: {segment: b2b, phase: decision}
        de: ["Guten Tag!", "Grüß Gott!"]
        en: "Good day!"
  utter_offer:
    de: "Darf ich mehr zeigen?"
    en: "May I show you more?"
    variants:
      - when: {pending_offer: reviews}
        de: "Bewertungen zeigen?"
        en: "Show reviews?"
"""


def problems_of(tmp_path: Path, text: str, offers: list[str] | None = None) -> list[str]:
    path = tmp_path / "responses.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        read_responses(path, offers=offers)
    return [f"line {p.line}, {p.field}: {p.message}" for p in caught.value.problems]


def test_the_shipped_file_loads_and_asks_every_offer() -> None:
    offers = read_offers(PROJECT_ROOT / "data" / "journey" / "offers.yml").offers
    checked = read_responses(SHIPPED, offers=list(offers))
    assert "utter_greet" in checked.responses and "utter_technical_problem" in checked.responses


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('    en: "Hello!"\n', "", "line 4, responses.utter_greet.en: is missing (needs de: and en:)"),
        ('de: "Hallo!"', 'de: "Hallo {name}!"', "line 4, responses.utter_greet.de: these answers fill in nothing"),
        ('de: "Bewertungen zeigen?"', 'de: "Bewertungen {x}"', "line 22, responses.utter_offer.variants[1].de: these"),
        ("{persona: technical}", "{persona: techie}", "line 9, responses.utter_greet.variants[1].when.persona: "
                                                      "unknown value 'techie'; use one of: skeptic"),
        ("{persona: technical}", "{}", "line 9, responses.utter_greet.variants[1].when: names nothing"),
        ("{persona: technical}", "{language: en}",
         "line 9, responses.utter_greet.variants[1].when.language: is not a known field"),
        ("payload: /ask_price", "payload: ask_price", "line 7, responses.utter_greet.buttons[1].payload: "),
        ("  utter_greet:", "  greet:", "line 3, responses: a name that is not allowed here"),
        ('de: ["Guten Tag!", "Grüß Gott!"]', "de: []", "line 15, responses.utter_greet.variants[2].de: "),
    ],
)  # fmt: skip
def test_every_mistake_names_file_line_and_field(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    found = problems_of(tmp_path, GOOD.replace(old, new, 1))
    assert any(problem.startswith(expected) for problem in found), found


def test_an_unknown_offer_and_an_offer_without_a_question_are_listed(tmp_path: Path) -> None:
    found = problems_of(tmp_path, GOOD.replace("pending_offer: reviews", "pending_offer: reveiws"),
                        offers=["reviews", "video"])  # fmt: skip
    assert "line 21, responses.utter_offer.variants[1].when.pending_offer: unknown offer 'reveiws'; " \
           "offers.yml has: reviews, video" in found  # fmt: skip
    assert any("responses.utter_offer.variants: has no variation for the offer 'video'" in p for p in found), found


@pytest.fixture()
def responses(tmp_path: Path) -> Responses:
    path = tmp_path / "responses.yml"
    path.write_text(GOOD, encoding="utf-8")
    return load_responses(path)


@pytest.mark.parametrize(
    ("slots", "text", "buttons"),
    [
        ({}, "Hallo!", ["Preise"]),
        ({"language": "en"}, "Hello!", ["Prices"]),
        ({"language": "en", "persona": "technical"}, "Hello! Specifications?", ["Specifications"]),
        ({"language": "de", "persona": "skeptic"}, "Hallo!", ["Preise"]),
        ({"language": "en", "segment": "b2b", "journey_phase": "decision"}, "Good day!", ["Prices"]),  # inherited
        ({"language": "en", "segment": "b2b", "journey_phase": "awareness"}, "Hello!", ["Prices"]),  # not all match
    ],
)
def test_the_first_matching_variation_is_said_in_the_visitors_language(
    responses: Responses, slots: dict[str, str], text: str, buttons: list[str]
) -> None:
    answer = responses.answer("utter_greet", slots)
    assert answer is not None
    assert answer["text"] == text
    assert [button["title"] for button in answer["buttons"]] == buttons


def test_several_texts_are_said_in_turn_at_random(responses: Responses) -> None:
    slots = {"segment": "b2b", "journey_phase": "decision"}
    said = {responses.answer("utter_greet", slots, random.Random(seed))["text"] for seed in range(20)}  # type: ignore[index]
    assert said == {"Guten Tag!", "Grüß Gott!"}


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({"response": "utter_offer", "tracker": {"slots": {"pending_offer": "reviews", "language": "en"}}}, 200,
         "Show reviews?"),
        ({"response": "utter_nothing", "tracker": {"slots": {}}}, 404, "has no response 'utter_nothing'"),
        ({"tracker": {}}, 400, "NLG request"),
        (["utter_greet"], 400, "NLG request"),
        ({"response": "utter_greet"}, 200, "Hallo!"),  # no tracker: German, the default
    ],
)  # fmt: skip
def test_an_nlg_request_is_answered_from_the_file(responses: Responses, body: object, status: int,
                                                  expected: str) -> None:  # fmt: skip
    got_status, answer = answer_nlg_request(body, responses)
    assert got_status == status
    assert expected in (answer.get("text") if status == 200 else answer["error"])


def test_the_running_action_server_answers_rasas_nlg_request_with_its_token(bot: Bot) -> None:
    body = {"response": "utter_how_can_help", "id": None, "arguments": {}, "channel": {"name": "rest"},
            "tracker": {"sender_id": "x", "slots": {"language": "en", "persona": "budget_owner"}}}  # fmt: skip
    headers = {"Content-Type": "application/json", "X-Action-Token": ACTION_TOKEN}
    url = f"http://127.0.0.1:{bot.settings.action_port}/nlg"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    shipped = load_responses(SHIPPED).answer("utter_how_can_help", body["tracker"]["slots"])  # type: ignore[index]
    assert answer == shipped and "pays for itself" in answer["text"]
    request.data = json.dumps({**body, "response": "utter_unknown"}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 404
