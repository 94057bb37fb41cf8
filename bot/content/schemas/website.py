"""`data/website/site.yml`: the demo website's pages in German and English, and the chat widget's labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import validator

from bot.catalogue.schema import LANGS, ContentError, ContentProblem
from bot.content.schemas.base import NonEmpty, Strict, locate_in, read_document, validated

#: Paths of the web app's own routes (bot/web/): a page there would never be shown.
RESERVED_PATHS = ("/api", "/static", "/summary", "/inbox", "/login", "/logout", "/handoffs", "/health", "/favicon.ico")
#: pages the site cannot do without, and why
REQUIRED_PAGES = {"home": "the navigation links to it", "privacy": "the chat links to it"}


def normalize_path(path: str) -> str:
    """`/preise/` and `/preise` are one page; `/en` is the English home `/en/`."""
    path = "/" + path.strip().split("?", 1)[0].split("#", 1)[0].strip("/")
    return "/en/" if path == "/en" else path


class SectionEntry(Strict):
    heading: NonEmpty  # type: ignore[valid-type]
    text: NonEmpty  # type: ignore[valid-type]


class PageEntry(Strict):
    path: NonEmpty  # type: ignore[valid-type]
    nav: NonEmpty  # type: ignore[valid-type]
    title: NonEmpty  # type: ignore[valid-type]
    intro: NonEmpty  # type: ignore[valid-type]
    greeting: NonEmpty  # type: ignore[valid-type]
    sections: list[SectionEntry] = []

    @validator("path")
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"must start with /, got {value!r}")
        taken = next((r for r in RESERVED_PATHS if normalize_path(value) == r or value.startswith(r + "/")), None)
        if taken:
            raise ValueError(f"{value} belongs to the web app ({taken}); choose another path")
        return value


class WidgetEntry(Strict):
    """The chat widget's labels in one language; the last nine are read by screen readers (docs/website.md)."""

    title: NonEmpty  # type: ignore[valid-type]
    subtitle: NonEmpty  # type: ignore[valid-type]
    placeholder: NonEmpty  # type: ignore[valid-type]
    connecting: NonEmpty  # type: ignore[valid-type]
    restart: NonEmpty  # type: ignore[valid-type]
    language_switch: NonEmpty  # type: ignore[valid-type]
    open_chat: NonEmpty  # type: ignore[valid-type]
    close_chat: NonEmpty  # type: ignore[valid-type]
    close_message: NonEmpty  # type: ignore[valid-type]
    tooltip: NonEmpty  # type: ignore[valid-type]
    tooltip_open: NonEmpty  # type: ignore[valid-type]
    send: NonEmpty  # type: ignore[valid-type]
    message_input: NonEmpty  # type: ignore[valid-type]
    messages: NonEmpty  # type: ignore[valid-type]
    navigation: NonEmpty  # type: ignore[valid-type]


class PageLanguages(Strict):
    de: PageEntry
    en: PageEntry


class WidgetLanguages(Strict):
    de: WidgetEntry
    en: WidgetEntry


class SiteFile(Strict):
    """`data/website/site.yml`: the demo website's pages in German and English, and the widget's labels."""

    version: Literal[1] = 1
    company: NonEmpty = "Wattwerk"  # type: ignore[valid-type]
    pages: dict[NonEmpty, PageLanguages]  # type: ignore[valid-type]
    widget: WidgetLanguages


def parse_site_document(document: Any, display: str, root: yaml.Node | None = None) -> SiteFile:
    """The site file from its parsed YAML; raises ContentError listing every problem with line and field."""
    checked = validated(document, root, display, SiteFile, "version, pages and widget")
    problems: list[ContentProblem] = []
    first: dict[str, int] = {}
    for key, languages in checked.pages.items():
        for language in LANGS:
            path = normalize_path(getattr(languages, language).path)
            line, field = locate_in(root, ("pages", key, language, "path"))
            if path in first:
                problems.append(ContentProblem(display, line, field, f"{path} is already used on line {first[path]}"))
            first.setdefault(path, line)
    for key, why in REQUIRED_PAGES.items():
        if key not in checked.pages:
            line, _ = locate_in(root, ("pages",))
            problems.append(ContentProblem(display, line, f"pages.{key}", f"this page is required ({why})"))
    if problems:
        raise ContentError(problems)
    return checked


def read_site(path: Path, display: str | None = None) -> SiteFile:
    document, root, shown = read_document(path, display, "version, pages and widget")
    return parse_site_document(document, shown, root)
