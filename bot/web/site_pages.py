"""The demo website's pages as HTML (everything escaped), each with the chat widget."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from html import escape

from bot.catalogue.schema import Product
from bot.website import LANGUAGES, Page, Site

# Pages that list the catalogue below their text.
_CATALOGUE_PAGES = {"product", "pricing"}


def _products(products: Sequence[Product], language: str, with_plans: bool) -> str:
    e = escape
    cards = []
    for product in products:
        if with_plans:
            items = "".join(
                f"<li><strong>{e(plan.name.get(language))}</strong>: {e(plan.description.get(language))}</li>"
                for plan in product.plans
            )
        else:
            items = "".join(f"<li>{e(feature.get(language))}</li>" for feature in product.features)
        cards.append(f'<article class="product" id="{e(product.id)}"><h2>{e(product.name)}</h2>'
                     f"<p>{e(product.short.get(language))}</p><ul>{items}</ul></article>")  # fmt: skip
    return '<section class="products">' + "".join(cards) + "</section>"


def chat_config(site: Site, socket_url: str, connect_on: str) -> dict[str, object]:
    """What static/site.js needs to start the widget: where Rasa is, when to connect, and the
    widget's labels in both languages (it picks the bot's language)."""
    labels = {language: asdict(site.labels(language)) for language in LANGUAGES}
    return {"socketUrl": socket_url, "connectOn": connect_on, "labels": labels}


def render_page(site: Site, page: Page, products: Sequence[Product], socket_url: str, connect_on: str = "open") -> str:
    e = escape
    lang = page.language
    labels = site.labels(lang)
    current = ' aria-current="page"'
    nav = "".join(
        f'<a href="{e(p.path)}"{current if p.key == page.key else ""}>{e(p.nav)}</a>'
        for p in site.pages
        if p.language == lang and p.key != "privacy"
    )
    other = "en" if lang == "de" else "de"
    switch = site.page(page.key, other)
    sections = "".join(f"<h2>{e(s.heading)}</h2><p>{e(s.text)}</p>" for s in page.sections)
    catalogue = _products(products, lang, with_plans=page.key == "pricing") if page.key in _CATALOGUE_PAGES else ""
    config = json.dumps(chat_config(site, socket_url, connect_on), ensure_ascii=False).replace("</", "<\\/")
    privacy = site.page("privacy", lang)
    return f"""<!doctype html>
<html lang="{e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, interactive-widget=resizes-content">
<title>{e(page.title)} | {e(site.company)}</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body data-page="{e(page.key)}">
<header>
<a class="brand" href="{e(site.page("home", lang).path)}">{e(site.company)}</a>
<nav aria-label="{e(labels.navigation)}">{nav}</nav>
<a class="language" href="{e(switch.path)}" hreflang="{other}" lang="{other}">{e(labels.language_switch)}</a>
</header>
<main>
<h1>{e(page.title)}</h1>
<p class="intro">{e(page.intro)}</p>
{sections}{catalogue}
</main>
<footer>
<a href="{e(privacy.path)}">{e(privacy.nav)}</a>
<button type="button" id="chat-restart">{e(labels.restart)}</button>
</footer>
<script id="chat-config" type="application/json">{config}</script>
<script src="/static/webchat.js"></script>
<script src="/static/site.js"></script>
</body>
</html>
"""
