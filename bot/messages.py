"""Editor-owned chat texts for catalogue answers (data/content/messages.yml), in German and English."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.reloading import load_yaml_file

LANGUAGES = ("de", "en")


class MessagesError(ValueError):
    """The messages file is incomplete; the text says which message and language."""


@dataclass(frozen=True)
class Messages:
    templates: Mapping[str, Mapping[str, str]]

    def render(self, key: str, language: str | None, /, **values: Any) -> str:
        """The message in the visitor's language (German when unknown), with the values filled in."""
        template = self.templates[key]["en" if language == "en" else "de"]
        return template.format(**{key: "" if value is None else value for key, value in values.items()})

    def placeholders(self, name: str) -> set[str]:
        return {
            field
            for text in self.templates[name].values()
            for _, field, _, _ in string.Formatter().parse(text)
            if field
        }


def parse_messages(document: Any) -> Messages:
    if not isinstance(document, Mapping) or not isinstance(document.get("messages"), Mapping):
        raise MessagesError("the file needs a top-level 'messages:' mapping")
    templates: dict[str, dict[str, str]] = {}
    for name, texts in document["messages"].items():
        if not isinstance(texts, Mapping):
            raise MessagesError(f"messages.{name}: needs de: and en: texts")
        for language in LANGUAGES:
            text = texts.get(language)
            if not isinstance(text, str) or not text.strip():
                raise MessagesError(f"messages.{name}.{language}: is missing or empty")
        fields = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in LANGUAGES]
        if fields[0] != fields[1]:
            raise MessagesError(f"messages.{name}: German and English use different placeholders")
        templates[str(name)] = {lang: texts[lang] for lang in LANGUAGES}
    return Messages(templates)


def load_messages(path: Path) -> Messages:
    """Read and check the file; errors name the file and the place in it."""
    return load_yaml_file(path, parse_messages, MessagesError)
