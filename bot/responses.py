"""The editor-owned answers (data/content/responses.yml): which text and buttons a conversation gets for a response
name, and the same answers as Rasa domain responses for training and `rasa data validate`."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.catalogue.schema import ContentError, ContentProblem
from bot.content.schemas.questions import QuestionsFile, read_questions, said_response
from bot.content.schemas.responses import Button, Response, ResponsesFile, read_responses, texts_of

#: the slot behind each field of a variation's `when:`
SLOT_OF = {"persona": "persona", "segment": "segment", "phase": "journey_phase", "pending_offer": "pending_offer"}


@dataclass(frozen=True)
class Responses:
    checked: ResponsesFile

    @property
    def names(self) -> Iterable[str]:
        return self.checked.responses.keys()

    def answer(self, name: str, slots: Mapping[str, Any], choose: random.Random | None = None
               ) -> dict[str, Any] | None:  # fmt: skip
        """The answer `name` for a conversation with these slot values, in its language (German unless `language`
        is "en"): {"text", "buttons"} as Rasa's NLG endpoint returns it; None for a name the file does not have."""
        response = self.checked.responses.get(name)
        if response is None:
            return None
        language = "en" if slots.get("language") == "en" else "de"
        texts, buttons = _variation(response, slots)
        chosen = (choose or random).choice(texts_of(getattr(texts, language)))
        return {"text": chosen, "buttons": [_button(button, language) for button in buttons]}


def _variation(response: Response, slots: Mapping[str, Any]) -> tuple[Any, list[Button]]:
    for variation in response.variants:
        if all(slots.get(SLOT_OF[field]) == value for field, value in variation.when.given().items()):
            return variation, variation.buttons if variation.buttons is not None else response.buttons
    return response, response.buttons


def _button(button: Button, language: str) -> dict[str, str]:
    return {"title": button.en if language == "en" else button.de, "payload": button.payload}


def domain_responses(responses: Responses) -> dict[str, list[dict[str, Any]]]:
    """The answers as Rasa domain responses (German by default, English on the `language` slot, a variation with
    its slot conditions): what the trained model knows, so that `rasa data validate`, the conversation tests and
    a Rasa without our NLG endpoint have every response. The running bot answers from the file instead."""
    domain: dict[str, list[dict[str, Any]]] = {}
    for name, response in responses.checked.responses.items():
        variations: list[dict[str, Any]] = []
        for texts, buttons, when in (
            *((variation, variation.buttons if variation.buttons is not None else response.buttons,
               variation.when.given()) for variation in response.variants),
            (response, response.buttons, {}),
        ):  # fmt: skip
            for language in ("de", "en"):
                condition = [{"type": "slot", "name": SLOT_OF[field], "value": value} for field, value in when.items()]
                if language == "en" or when:
                    condition.append({"type": "slot", "name": "language", "value": language})
                for text in texts_of(getattr(texts, language)):
                    entry: dict[str, Any] = {"text": text}
                    if condition:
                        entry["condition"] = condition
                    if buttons:
                        entry["buttons"] = [_button(button, language) for button in buttons]
                    variations.append(entry)
        domain[name] = variations
    return domain


def load_responses(path: Path, questions: Path | None = None) -> Responses:
    """Read and check the file, and the answers written into the questions file (`say:`, said as utter_<intent>);
    every mistake raised as one ContentError naming the file, the line and the field, which a running bot answers
    by keeping the last good version (bot/reloading.py)."""
    checked = read_responses(path)
    if questions is None:
        return Responses(checked)
    asked = read_questions(questions)
    problems = said_twice(checked, asked, str(questions), path.name)
    if problems:
        raise ContentError(problems)
    said = {said_response(intent): q.say for intent, q in asked.questions.items() if q.say}
    return Responses(checked.copy(update={"responses": {**checked.responses, **said}}))


def said_twice(responses: ResponsesFile, questions: QuestionsFile, questions_shown: str, responses_name: str
               ) -> list[ContentProblem]:  # fmt: skip
    """A question's `say:` text whose response name (utter_<intent>) the answers file has too: one text, one place."""
    said = {said_response(intent) for intent, question in questions.questions.items() if question.say}
    return [ContentProblem(questions_shown, 1, f"questions.{name.removeprefix('utter_')}.say",
                           f"{name} is in {responses_name} too; keep the text in one place")
            for name in sorted(said & set(responses.responses))]  # fmt: skip


def answer_nlg_request(body: Any, responses: Responses) -> tuple[int, dict[str, Any]]:
    """Rasa's NLG request (`{"response": name, "tracker": {"slots": …}, …}`) answered: 200 and the answer, 404 for
    a name the file does not have, 400 for a body that is no NLG request."""
    if not isinstance(body, Mapping) or not isinstance(body.get("response"), str):
        return 400, {"error": "expected Rasa's NLG request: a JSON object with the response's name in `response`"}
    tracker = body.get("tracker")
    slots = tracker.get("slots") if isinstance(tracker, Mapping) else None
    answer = responses.answer(body["response"], slots if isinstance(slots, Mapping) else {})
    if answer is None:
        return 404, {"error": f"data/content/responses.yml has no response {body['response']!r}"}
    return 200, answer
