"""Editor-owned chat texts for catalogue answers (data/content/messages.yml), in German and English."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.schemas import MessagesFile, parse_messages_document, read_messages

LANGUAGES = ("de", "en")


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


def parse_messages(document: Any, display: str = "messages.yml") -> Messages:
    """The messages from the file's parsed YAML; every mistake raised as one ContentError (file, line, field)."""
    return _messages(parse_messages_document(document, display))


def load_messages(path: Path) -> Messages:
    """Read and check the file; every mistake raised as one ContentError naming the file, the line and the field,
    which a running bot answers by keeping the last good version (bot/reloading.py)."""
    return _messages(read_messages(path))


def _messages(checked: MessagesFile) -> Messages:
    return Messages({str(name): {"de": text.de, "en": text.en} for name, text in checked.messages.items()})
