"""`data/content/responses.yml`: the bot's answers that are no catalogue data (greetings, company facts, offers),
each in German and English, with variations for a persona, segment, phase or pending offer."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import conlist, constr, root_validator, validator

from bot.catalogue.schema import ContentError, ContentProblem
from bot.content.schemas.base import NonEmpty, Strict, locate_in, read_document, validated
from bot.journey.vocabulary import PERSONAS, PHASES, SEGMENTS

#: one text, or several that the bot takes turns with at random
Said = NonEmpty | conlist(NonEmpty, min_items=1)  # type: ignore[valid-type]
#: the yes/no question of an offer (data/journey/offers.yml): one variation per offer
OFFER_QUESTION = "utter_offer"
ResponseName = constr(regex=r"^utter_[a-z0-9_]+$")


def texts_of(said: str | list[str]) -> list[str]:
    return [said] if isinstance(said, str) else list(said)


class Button(Strict):
    """A button under the answer: its label in both languages and what pressing it says ("/ask_price")."""

    de: NonEmpty  # type: ignore[valid-type]
    en: NonEmpty  # type: ignore[valid-type]
    payload: constr(regex=r"^/[a-z_]+(\{.*\})?$")  # type: ignore[valid-type]


class When(Strict):
    """What the conversation must show for a variation; every field given must match."""

    persona: Literal[PERSONAS] | None = None  # type: ignore[valid-type]
    segment: Literal[SEGMENTS] | None = None  # type: ignore[valid-type]
    phase: Literal[PHASES] | None = None  # type: ignore[valid-type]
    pending_offer: NonEmpty | None = None  # type: ignore[valid-type]

    @root_validator(skip_on_failure=True)
    def _something(cls, values: dict[str, Any]) -> dict[str, Any]:
        if not any(value is not None for value in values.values()):
            raise ValueError("names nothing: give persona, segment, phase or pending_offer")
        return values

    def given(self) -> dict[str, str]:
        return {key: value for key, value in self.dict().items() if value is not None}


def _no_placeholders(value: Any) -> Any:
    for text in texts_of(value):
        if "{" in text or "}" in text:
            raise ValueError("these answers fill in nothing: a text with {placeholders} belongs in messages.yml")
    return value


class Variation(Strict):
    """The answer for visitors that `when` describes; without buttons, the response's buttons."""

    when: When
    de: Said
    en: Said
    buttons: list[Button] | None = None

    _texts = validator("de", "en", allow_reuse=True)(_no_placeholders)


class Response(Strict):
    de: Said
    en: Said
    buttons: list[Button] = []
    #: tried in order; the first that matches the conversation is said, else de/en above
    variants: list[Variation] = []

    _texts = validator("de", "en", allow_reuse=True)(_no_placeholders)


class ResponsesFile(Strict):
    """`data/content/responses.yml`."""

    version: Literal[1] = 1
    responses: dict[ResponseName, Response]  # type: ignore[valid-type]




def parse_responses_document(document: Any, display: str, root: yaml.Node | None = None,
                             offers: Iterable[str] | None = None) -> ResponsesFile:  # fmt: skip
    """The responses file from its parsed YAML; raises ContentError listing every problem with line and field.
    `offers`: the offers in data/journey/offers.yml, which `pending_offer` may name."""
    checked = validated(document, root, display, ResponsesFile, "version and responses")
    problems: list[ContentProblem] = []
    known_offers = set(offers) if offers is not None else None
    for name, response in checked.responses.items():
        for index, variation in enumerate(response.variants):
            offer = variation.when.pending_offer
            if known_offers is not None and offer is not None and offer not in known_offers:
                line, field = locate_in(root, ("responses", name, "variants", index, "when", "pending_offer"))
                shown = ", ".join(sorted(known_offers))
                problems.append(ContentProblem(display, line, field,
                                               f"unknown offer {offer!r}; offers.yml has: {shown}"))  # fmt: skip
    question = checked.responses.get(OFFER_QUESTION)
    asked = {variation.when.pending_offer for variation in question.variants} if question else set()
    for offer in sorted(known_offers - asked if known_offers is not None else ()):
        line, field = locate_in(root, ("responses", OFFER_QUESTION))
        problems.append(ContentProblem(display, line, f"responses.{OFFER_QUESTION}.variants",
                                       f"has no variation for the offer {offer!r} (when: {{pending_offer: {offer}}})"))
    if problems:
        raise ContentError(problems)
    return checked


def read_responses(path: Path, display: str | None = None, offers: Iterable[str] | None = None) -> ResponsesFile:
    document, root, shown = read_document(path, display, "version and responses")
    return parse_responses_document(document, shown, root, offers)
