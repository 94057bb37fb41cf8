"""`data/content/messages.yml`: the chat texts that show catalogue data, with their {placeholders}."""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import validator

from bot.catalogue.schema import LANGS, ContentError, ContentProblem
from bot.content.schemas.base import NonEmpty, Strict, locate_in, read_document, validated


class MessageText(Strict):
    """One chat text in German and English, with the same {placeholders} in both. Kept exactly as written: a
    text that joins two others (" und ") needs its spaces."""

    de: str
    en: str

    @validator("de", "en")
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty")
        return value


class MessagesFile(Strict):
    """`data/content/messages.yml`: the chat texts that show catalogue data."""

    version: Literal[1] = 1
    messages: dict[NonEmpty, MessageText]  # type: ignore[valid-type]


def placeholders_of(text: str) -> set[str]:
    """The {names} a text fills in; ValueError for a broken one ("{product_name" or "{}")."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(text):
        if name is None:
            continue
        if not name.isidentifier():
            raise ValueError(f"{{{name}}} is no placeholder name; write {{product_name}}, or double a brace ({{{{)")
        names.add(name)
    return names


def parse_messages_document(document: Any, display: str, root: yaml.Node | None = None,
                            filled: Mapping[str, Iterable[str]] | None = None) -> MessagesFile:  # fmt: skip
    """The messages file from its parsed YAML; raises ContentError listing every problem with line and field.
    `filled`: per message, the values the code fills in (bot/messages.py FILLED); every message it names must be
    there, no other, and use no other placeholder."""
    checked = validated(document, root, display, MessagesFile, "version and messages")
    problems: list[ContentProblem] = []
    if filled is not None:
        for name in filled:
            if name not in checked.messages:
                line, field = locate_in(root, ("messages",))
                problems.append(ContentProblem(display, line, f"messages.{name}", "is missing (the bot shows it)"))
    for name, texts in checked.messages.items():
        if filled is not None and name not in filled:
            line, field = locate_in(root, ("messages", name))
            problems.append(ContentProblem(display, line, field, "is not a message the bot shows (check the name)"))
        found: dict[str, set[str]] = {}
        for language in LANGS:
            try:
                found[language] = placeholders_of(getattr(texts, language))
            except ValueError as exc:
                line, field = locate_in(root, ("messages", name, language))
                problems.append(ContentProblem(display, line, field, f"broken placeholder: {exc}"))
        allowed = set(filled[name]) if filled is not None and name in filled else None
        for language, names in found.items():
            unknown = names - allowed if allowed is not None else set()
            if unknown:
                line, field = locate_in(root, ("messages", name, language))
                offered = ", ".join(f"{{{n}}}" for n in sorted(allowed or ())) or "none"
                shown = ", ".join(f"{{{n}}}" for n in sorted(unknown))
                message = f"the bot does not fill {shown} in this message; it fills: {offered}"
                problems.append(ContentProblem(display, line, field, message))
        if len(found) == 2 and found["de"] != found["en"]:
            line, field = locate_in(root, ("messages", name))
            shown = {language: ", ".join(sorted(names)) or "none" for language, names in found.items()}
            message = f"German and English must use the same placeholders (de: {shown['de']}; en: {shown['en']})"
            problems.append(ContentProblem(display, line, field, message))
    if problems:
        raise ContentError(problems)
    return checked


def read_messages(path: Path, display: str | None = None,
                  filled: Mapping[str, Iterable[str]] | None = None) -> MessagesFile:  # fmt: skip
    document, root, shown = read_document(path, display, "version and messages")
    return parse_messages_document(document, shown, root, filled)
