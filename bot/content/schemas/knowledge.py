"""`data/content/knowledge.yml`: short questions and answers per product that the bot finds by retrieval
(bot/conversation/knowledge.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import conlist, validator

from bot.catalogue.schema import ContentError, ContentProblem
from bot.content.schemas.base import LocalText, NonEmpty, Strict, locate, parse_model

GENERAL = "general"
MAX_ANSWER_WORDS = 80
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Answer(LocalText):
    """An answer: the fact first, at most MAX_ANSWER_WORDS words per language."""

    @validator("de", "en")
    def _short(cls, value: str) -> str:
        words = len(value.split())
        if words > MAX_ANSWER_WORDS:
            raise ValueError(f"has {words} words; keep answers to at most {MAX_ANSWER_WORDS} (the fact first)")
        return value


class Questions(Strict):
    """Example questions per language, for retrieval."""

    de: conlist(NonEmpty, min_items=1)  # type: ignore[valid-type]
    en: conlist(NonEmpty, min_items=1)  # type: ignore[valid-type]

    def get(self, language: str) -> list[str]:
        return list(self.en if language == "en" else self.de)


class KnowledgeEntry(Strict):
    id: NonEmpty  # type: ignore[valid-type]
    product: NonEmpty  # type: ignore[valid-type]
    title: LocalText
    questions: Questions
    answer: Answer
    #: the intent (or intents) whose standard answer already covers this topic (the bot keeps that answer)
    intent: str | list[str] | None = None
    #: terms that name this topic and hardly anything else ("AVV", "LoRaWAN"), in any language: a message that uses
    #: one is answered from this entry even when the classifier reads something vaguer into it
    keywords: list[NonEmpty] = []  # type: ignore[valid-type]

    @property
    def intents(self) -> tuple[str, ...]:
        """The intents whose standard answer covers this topic."""
        return (self.intent,) if isinstance(self.intent, str) else tuple(self.intent or ())

    @validator("id")
    def _id_format(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("use lower-case letters, digits and hyphens only")
        return value


class KnowledgeTexts(Strict):
    no_match: LocalText
    no_match_again: LocalText


class KnowledgeFile(Strict):
    version: int
    texts: KnowledgeTexts
    #: groups of words that mean the same thing to the search, in any language ("kündigen", "get out of", "cancel"):
    #: a question that uses one matches entries that use another; per group a name and its words (word beginnings)
    concepts: dict[NonEmpty, conlist(NonEmpty, min_items=1)] = {}  # type: ignore[valid-type]
    entries: conlist(KnowledgeEntry, min_items=1)  # type: ignore[valid-type]

    @validator("concepts")
    def _concept_names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            if not _ID.match(name):
                raise ValueError(f"concept {name!r}: use lower-case letters, digits and hyphens only")
        return value

    @validator("version")
    def _version(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"must be 1, got {value}")
        return value


def parse_knowledge_text(text: str, display: str, products: Iterable[str]) -> KnowledgeFile:
    """The knowledge file from YAML text; raises ContentError listing every problem with line and field."""
    knowledge, root = parse_model(text, display, KnowledgeFile, "version, texts and entries")
    problems = _cross_checks(knowledge, root, display, set(products))
    if problems:
        raise ContentError(problems)
    return knowledge


def _cross_checks(knowledge: KnowledgeFile, root: yaml.Node, display: str, products: set[str]) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(knowledge.entries):
        if products and entry.product != GENERAL and entry.product not in products:
            line, field = locate(root, ("entries", index, "product"))
            known = ", ".join(sorted(products | {GENERAL}))
            message = f"unknown product {entry.product!r}; use one of {known}"
            problems.append(ContentProblem(display, line, field, message))
        if entry.id in seen:
            line, field = locate(root, ("entries", index, "id"))
            message = f"id {entry.id!r} is already used on line {seen[entry.id]}"
            problems.append(ContentProblem(display, line, field, message))
        else:
            seen[entry.id] = locate(root, ("entries", index, "id"))[0]
    return problems


def product_ids(directory: Path) -> list[str]:
    """The catalogue ids (file names) in data/content/products/."""
    return sorted(p.stem for p in [*directory.glob("*.yml"), *directory.glob("*.yaml")])


def read_knowledge(path: Path, products_dir: Path | None = None, display: str | None = None) -> KnowledgeFile:
    """Reads and checks a knowledge file; the products are those in `products_dir` (default: next to it)."""
    directory = products_dir if products_dir is not None else path.parent / "products"
    return parse_knowledge_text(path.read_text(encoding="utf-8"), display or str(path), product_ids(directory))
