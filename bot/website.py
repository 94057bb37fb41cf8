"""The demo website's pages (data/website/site.yml): texts, paths and the bot's greeting per page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.schemas import SiteFile, normalize_path, parse_site_document, read_site

LANGUAGES = ("de", "en")
PRIVACY_PAGE = "privacy"


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class Page:
    key: str
    language: str
    path: str
    nav: str
    title: str
    intro: str
    greeting: str
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class WidgetLabels:
    title: str
    subtitle: str
    placeholder: str
    connecting: str
    restart: str
    language_switch: str
    # For screen readers (the widget's buttons are icons; docs/website.md, "Phones and accessibility").
    open_chat: str
    close_chat: str
    close_message: str  # hides the tooltip (a message while the chat is closed)
    tooltip: str  # the tooltip's name
    tooltip_open: str  # the tooltip's button that opens the chat
    send: str
    message_input: str
    messages: str
    navigation: str


@dataclass(frozen=True)
class Site:
    company: str
    pages: tuple[Page, ...]
    widget: Mapping[str, WidgetLabels]

    def page_at(self, path: str) -> Page | None:
        wanted = normalize_path(path)
        return next((p for p in self.pages if normalize_path(p.path) == wanted), None)

    def page(self, key: str, language: str | None) -> Page:
        """The page `key` in `language` (German when the language is unknown)."""
        language = language if language in LANGUAGES else LANGUAGES[0]
        return next(p for p in self.pages if p.key == key and p.language == language)

    def keys(self) -> list[str]:
        return list(dict.fromkeys(p.key for p in self.pages))

    def labels(self, language: str | None) -> WidgetLabels:
        return self.widget["en" if language == "en" else "de"]


def parse_site(document: Any, display: str = "site.yml") -> Site:
    """The site from the file's parsed YAML; every mistake raised as one ContentError (file, line, field)."""
    return _site(parse_site_document(document, display))


def load_site(path: Path) -> Site:
    """Read and check the file; every mistake raised as one ContentError naming the file, the line and the field,
    which a running bot and web app answer by keeping the last good version (bot/reloading.py)."""
    return _site(read_site(path))


def _site(checked: SiteFile) -> Site:
    pages = tuple(
        Page(key=str(key), language=language, path=entry.path, nav=entry.nav, title=entry.title, intro=entry.intro,
             greeting=entry.greeting, sections=tuple(Section(s.heading, s.text) for s in entry.sections))
        for key, languages in checked.pages.items()
        for language, entry in (("de", languages.de), ("en", languages.en))
    )  # fmt: skip
    widget = {language: WidgetLabels(**labels.dict()) for language, labels in (("de", checked.widget.de),
                                                                               ("en", checked.widget.en))}  # fmt: skip
    return Site(company=checked.company, pages=pages, widget=widget)


def page_to_greet(site: Site, path: str, greeted: Sequence[str]) -> Page | None:
    """The page whose greeting is due: a known page not greeted yet in this conversation."""
    page = site.page_at(path) if path else None
    return page if page is not None and page.key not in greeted else None


def privacy_url(site: Site, base_url: str, language: str | None) -> str:
    return base_url.rstrip("/") + site.page(PRIVACY_PAGE, language).path
