"""The demo website's pages (data/website/site.yml): texts, paths and the bot's greeting per page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.reloading import load_yaml_file

LANGUAGES = ("de", "en")
PRIVACY_PAGE = "privacy"
# Paths of the web app's own routes (bot/web/): a page there would never be shown.
RESERVED_PATHS = ("/api", "/static", "/summary", "/inbox", "/login", "/logout", "/handoffs", "/health", "/favicon.ico")


class SiteError(ValueError):
    """site.yml is not what the web app and the bot expect; the message names the field."""


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


def normalize_path(path: str) -> str:
    """`/preise/` and `/preise` are one page; `/en` is the English home `/en/`."""
    path = "/" + path.strip().split("?", 1)[0].split("#", 1)[0].strip("/")
    return "/en/" if path == "/en" else path


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


def _text(raw: Mapping[str, Any], name: str, where: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SiteError(f"{where}.{name}: a non-empty text is required")
    return value.strip()


def _sections(raw: Any, where: str) -> tuple[Section, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise SiteError(f"{where}.sections: a list of {{heading, text}} is required")
    sections = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise SiteError(f"{where}.sections[{index}]: {{heading, text}} is required")
        sections.append(Section(_text(item, "heading", f"{where}.sections[{index}]"),
                                _text(item, "text", f"{where}.sections[{index}]")))  # fmt: skip
    return tuple(sections)


def parse_site(document: Any) -> Site:
    """Check site.yml and build the site; every page must exist in German and English."""
    if not isinstance(document, Mapping) or not isinstance(document.get("pages"), Mapping):
        raise SiteError("site.yml: a mapping with `pages:` is required")
    pages: list[Page] = []
    for key, languages in document["pages"].items():
        if not isinstance(languages, Mapping) or set(languages) != set(LANGUAGES):
            raise SiteError(f"pages.{key}: exactly the languages {', '.join(LANGUAGES)} are required")
        for language in LANGUAGES:
            raw = languages[language]
            where = f"pages.{key}.{language}"
            if not isinstance(raw, Mapping):
                raise SiteError(f"{where}: a mapping is required")
            path = _text(raw, "path", where)
            if not path.startswith("/"):
                raise SiteError(f"{where}.path: must start with /, got {path!r}")
            taken = next((r for r in RESERVED_PATHS if normalize_path(path) == r or path.startswith(r + "/")), None)
            if taken:
                raise SiteError(f"{where}.path: {path} belongs to the web app ({taken}); choose another path")
            pages.append(Page(key=str(key), language=language, path=path, nav=_text(raw, "nav", where),
                              title=_text(raw, "title", where), intro=_text(raw, "intro", where),
                              greeting=_text(raw, "greeting", where),
                              sections=_sections(raw.get("sections"), where)))  # fmt: skip
    paths = [normalize_path(p.path) for p in pages]
    duplicates = sorted({p for p in paths if paths.count(p) > 1})
    if duplicates:
        raise SiteError(f"pages: each path must be unique, repeated: {', '.join(duplicates)}")
    for key, why in (("home", "the navigation links to it"), (PRIVACY_PAGE, "the chat links to it")):
        if key not in {p.key for p in pages}:
            raise SiteError(f"pages.{key}: this page is required ({why})")
    return Site(company=str(document.get("company") or "").strip() or "Wattwerk", pages=tuple(pages),
                widget=_widget(document.get("widget")))  # fmt: skip


def _widget(raw: Any) -> dict[str, WidgetLabels]:
    if not isinstance(raw, Mapping) or set(raw) != set(LANGUAGES):
        raise SiteError(f"widget: labels in exactly the languages {', '.join(LANGUAGES)} are required")
    labels = {}
    for language in LANGUAGES:
        where = f"widget.{language}"
        if not isinstance(raw[language], Mapping):
            raise SiteError(f"{where}: a mapping is required")
        labels[language] = WidgetLabels(
            **{name: _text(raw[language], name, where) for name in WidgetLabels.__dataclass_fields__}
        )
    return labels


def load_site(path: Path) -> Site:
    return load_yaml_file(path, parse_site, SiteError)


def page_to_greet(site: Site, path: str, greeted: Sequence[str]) -> Page | None:
    """The page whose greeting is due: a known page not greeted yet in this conversation."""
    page = site.page_at(path) if path else None
    return page if page is not None and page.key not in greeted else None


def privacy_url(site: Site, base_url: str, language: str | None) -> str:
    return base_url.rstrip("/") + site.page(PRIVACY_PAGE, language).path
