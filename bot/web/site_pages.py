"""The demo website's pages as HTML from Jinja2 templates (bot/web/templates/site/, everything escaped), each with
the chat widget."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from functools import cache

from jinja2 import Template
from markupsafe import Markup

from bot.catalogue.schema import Product
from bot.web.jinja import environment
from bot.website import LANGUAGES, Page, Site

# Pages that list the catalogue below their text.
_CATALOGUE_PAGES = {"product", "pricing"}


def chat_config(site: Site, socket_url: str, connect_on: str) -> dict[str, object]:
    """What static/site.js needs to start the widget: where Rasa is, when to connect, and the
    widget's labels in both languages (it picks the bot's language)."""
    labels = {language: asdict(site.labels(language)) for language in LANGUAGES}
    return {"socketUrl": socket_url, "connectOn": connect_on, "labels": labels}


def render_page(site: Site, page: Page, products: Sequence[Product], socket_url: str, connect_on: str = "open",
                referral: str | None = None) -> str:  # fmt: skip
    """The page (bot/web/templates/site/page.html), with the catalogue below the text on the product and pricing
    pages, and the widget's settings as JSON that no text can end early. A visitor who came with a customer's
    referral code keeps it on every link to another page of the site (nothing is stored in the browser for it)."""
    lang = page.language
    other = "en" if lang == "de" else "de"
    config = json.dumps(chat_config(site, socket_url, connect_on), ensure_ascii=False).replace("</", "<\\/")
    return _template("site/page.html").render(
        site=site, page=page, lang=lang, other=other, labels=site.labels(lang), home=site.page("home", lang),
        switch=site.page(page.key, other), privacy=site.page("privacy", lang),
        nav=[p for p in site.pages if p.language == lang and p.key != "privacy"],
        products=products if page.key in _CATALOGUE_PAGES else [], with_plans=page.key == "pricing",
        config=Markup(config),  # JSON, its "</" escaped above: no end of the script element inside
        keep=f"?ref={referral}" if referral else "",
    )  # fmt: skip


def render_not_found(site: Site, english: bool) -> str:
    language = "en" if english else "de"
    text = "Page not found" if english else "Seite nicht gefunden"
    return _template("site/not_found.html").render(lang=language, text=text, home=site.page("home", language))


@cache
def _template(name: str) -> Template:
    return environment().get_template(name)
