"""`data/content/questions.yml`: one entry per question the bot answers (an intent): how it answers, whether it
offers the next step afterwards, during which forms it is answered before the form goes on, and what the question
says about the visitor's journey."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import conlist, constr, root_validator

from bot.catalogue.schema import ContentError, ContentProblem
from bot.content.schemas.base import Strict, locate_in, read_document, validated
from bot.content.schemas.journey import EvidenceEntry
from bot.content.schemas.responses import Response

#: the forms a question can interrupt: it is answered, then the form asks its question again
FORMS = ("roi_form", "lead_form")
IntentName = constr(regex=r"^[a-z][a-z0-9_]*$")
ActionName = constr(regex=r"^(utter|action)_[a-z0-9_]+$")


class Question(Strict):
    """How the bot answers one question (intent)."""

    #: the answer's steps in order: actions (action_show_prices) or answers (utter_tco)
    answer: conlist(ActionName, min_items=1) | None = None  # type: ignore[valid-type]
    #: or the answer's text right here, in German and English (said as utter_<intent>)
    say: Response | None = None
    #: after the answer, offer the next step that fits the visitor (data/journey/offers.yml)
    next_step: bool = True
    #: forms during which the question is answered, then the form goes on
    during: list[Literal[FORMS]] = []  # type: ignore[valid-type]
    #: the answer during a form, when it differs (a short one that does not start anything)
    answer_during_form: conlist(ActionName, min_items=1) | None = None  # type: ignore[valid-type]
    #: what asking it says about the visitor: phase, persona, segment (as in data/journey/evidence.yml)
    evidence: EvidenceEntry = EvidenceEntry()

    @root_validator(skip_on_failure=True)
    def _one_answer(cls, values: dict[str, Any]) -> dict[str, Any]:
        if (values.get("answer") is None) == (values.get("say") is None):
            raise ValueError("needs exactly one of answer (the steps) or say (the text)")
        if values.get("answer_during_form") is not None and not values.get("during"):
            raise ValueError("answer_during_form needs during (the forms)")
        return values


class QuestionsFile(Strict):
    """`data/content/questions.yml`."""

    version: Literal[1] = 1
    questions: dict[IntentName, Question]  # type: ignore[valid-type]


def said_response(intent: str) -> str:
    """The response name a question's `say:` text is said as."""
    return f"utter_{intent}"


def answer_steps(intent: str, question: Question) -> list[str]:
    return list(question.answer) if question.answer is not None else [said_response(intent)]


@dataclass(frozen=True)
class Known:
    """What the rest of the bot has, for checking the questions against it (`make content`)."""

    #: intents described in data/journey/evidence.yml, which must not be questions too
    other_intents: frozenset[str] = frozenset()
    #: custom actions in domain/ and answers in responses.yml; None: not checked
    actions: frozenset[str] | None = None
    responses: frozenset[str] | None = None
    #: per language, the intents with examples in data/nlu/<language>/; None: not checked
    examples: Mapping[str, frozenset[str]] | None = None


def parse_questions_document(document: Any, display: str, root: yaml.Node | None = None,
                             known: Known | None = None) -> QuestionsFile:  # fmt: skip
    """The questions file from its parsed YAML; raises ContentError listing every problem with line and field,
    including what `known` does not have."""
    checked = validated(document, root, display, QuestionsFile, "version and questions")
    known = known or Known()
    problems: list[ContentProblem] = []

    def problem(loc: tuple[Any, ...], message: str) -> None:
        line, field = locate_in(root, loc)
        problems.append(ContentProblem(display, line, field, message))

    for intent, question in checked.questions.items():
        if intent in known.other_intents:
            problem(("questions", intent), "is in data/journey/evidence.yml `intents:` too; keep its evidence here, "
                                           "under evidence:")  # fmt: skip
        for key in ("answer", "answer_during_form"):
            for index, step in enumerate(getattr(question, key) or []):
                if step.startswith("utter_") and known.responses is not None and step not in known.responses:
                    problem(("questions", intent, key, index), f"{step} is not in data/content/responses.yml")
                if step.startswith("action_") and known.actions is not None and step not in known.actions:
                    problem(("questions", intent, key, index), f"{step} is no action of the bot (domain/*.yml)")
        for language, intents in (known.examples or {}).items():
            if intent not in intents:
                problem(("questions", intent), f"has no examples in data/nlu/{language}/ (write some: `- intent: "
                                               f"{intent}` with examples)")  # fmt: skip
    if problems:
        raise ContentError(problems)
    return checked


def read_questions(path: Path, display: str | None = None, known: Known | None = None) -> QuestionsFile:
    document, root, shown = read_document(path, display, "version and questions")
    return parse_questions_document(document, shown, root, known)
