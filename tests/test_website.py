"""The website's pages (data/website/site.yml), the greeting action and the page language."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.website import ActionGreetPage
from bot.catalogue.schema import ContentError
from bot.config import PROJECT_ROOT, settings_from_env
from bot.journey.evidence import EvidenceModel
from bot.journey.inference import Turn, infer_journey
from bot.services import Services
from bot.web.site_pages import render_page
from bot.website import load_site, page_to_greet, parse_site
from tests.helpers import make_tracker, user

SITE_FILE = PROJECT_ROOT / "data" / "website" / "site.yml"


def page_view(path: str, language: str = "de-DE", page_language: str = "de") -> dict[str, Any]:
    message = user("/page_view", "page_view", 1.0)
    message["metadata"] = {"page": {"path": path, "language": language, "page_language": page_language}}
    return message


def site_document() -> dict[str, Any]:
    return dict(yaml.safe_load(SITE_FILE.read_text(encoding="utf-8")))


def test_every_page_exists_in_both_languages_with_its_own_path() -> None:
    site = load_site(SITE_FILE)
    assert site.keys() == ["home", "product", "pricing", "customer_area", "privacy"]
    assert site.page_at("/preise/").key == site.page_at("/en/pricing?utm_source=x").key == "pricing"
    assert site.page_at("/en") == site.page("home", "en")
    assert site.page_at("/nirgends") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["pages"]["pricing"].pop("en"), "pages.pricing.en: is missing"),
        (lambda d: d["pages"]["pricing"]["de"].update(greeting=" "), "pages.pricing.de.greeting"),
        (lambda d: d["pages"]["pricing"]["de"].update(path="/produkte"), "/produkte is already used"),
        (lambda d: d["pages"]["pricing"]["en"].update(path="pricing"), "must start with /"),
        (lambda d: d["pages"].pop("privacy"), "pages.privacy: this page is required"),
        (lambda d: d["pages"].pop("home"), "pages.home: this page is required"),
        (lambda d: d["widget"]["en"].pop("placeholder"), "widget.en.placeholder"),
        (lambda d: d["pages"]["pricing"]["de"].update(path="/inbox"), "belongs to the web app"),
        (lambda d: d["pages"]["pricing"]["de"].update(path="/static/preise"), "belongs to the web app"),
    ],
)
def test_a_broken_site_file_names_the_field(change: Any, message: str) -> None:
    document = site_document()
    change(document)
    with pytest.raises(ContentError, match=message):
        parse_site(document)


def test_a_page_is_greeted_once_whatever_its_language() -> None:
    site = load_site(SITE_FILE)
    assert page_to_greet(site, "/preise", []).key == "pricing"
    assert page_to_greet(site, "/en/pricing", ["pricing"]) is None
    assert page_to_greet(site, "/unbekannt", []) is None


def test_the_first_page_view_shows_the_privacy_notice_then_the_greeting(services: Services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([page_view("/preise")], {"language": "de"})
    events = ActionGreetPage(services).run(dispatcher, tracker, {})
    assert events == [SlotSet("privacy_notice_shown", True), SlotSet("greeted_pages", ["pricing"])]
    notice, greeting = (m["text"] for m in dispatcher.messages)
    assert notice.startswith("Kurz zum Datenschutz") and "(http://localhost:8000/datenschutz)" in notice
    assert greeting == load_site(SITE_FILE).page("pricing", "de").greeting


def test_a_page_already_greeted_gets_nothing_and_a_new_one_only_its_greeting(services: Services) -> None:
    slots = {"language": "en", "privacy_notice_shown": True, "greeted_pages": ["pricing"]}
    dispatcher = CollectingDispatcher()
    assert ActionGreetPage(services).run(dispatcher, make_tracker([page_view("/preise")], slots), {}) == []
    assert dispatcher.messages == []
    events = ActionGreetPage(services).run(dispatcher, make_tracker([page_view("/kundenbereich")], slots), {})
    assert events == [SlotSet("greeted_pages", ["pricing", "customer_area"])]
    assert [m["text"] for m in dispatcher.messages] == [load_site(SITE_FILE).page("customer_area", "en").greeting]


def test_a_page_outside_the_site_gets_the_notice_but_no_greeting(services: Services) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionGreetPage(services).run(dispatcher, make_tracker([page_view("/blog/42")], {"language": "en"}), {})
    assert events == [SlotSet("privacy_notice_shown", True)]
    assert dispatcher.messages[0]["text"].startswith("A quick note on privacy")


def test_the_language_switch_on_the_website_switches_the_bot(evidence: EvidenceModel) -> None:
    def turn(path: str, browser: str, page_language: str) -> Turn:
        page = {"path": path, "language": browser, "page_language": page_language}
        return Turn(text="/page_view", intent="page_view", confidence=1.0, page=page)

    assert infer_journey([turn("/", "en-GB", "de")], evidence).language == "en"  # the browser decides first
    assert infer_journey([turn("/", "fr-FR", "de")], evidence).language == "de"  # or the page, for others
    switched = [turn("/", "de-DE", "de"), turn("/en/", "de-DE", "en")]
    assert infer_journey(switched, evidence).language == "en"
    stays = [turn("/", "en-GB", "de"), turn("/preise", "en-GB", "de")]
    assert infer_journey(stays, evidence).language == "en"


def test_pages_are_escaped_and_list_the_catalogue(catalogue_services: Services) -> None:
    site = load_site(SITE_FILE)
    document = site_document()
    document["pages"]["pricing"]["de"]["intro"] = "<script>alert(1)</script>"
    page = parse_site(document).page("pricing", "de")
    html = render_page(site, page, catalogue_services.catalogue.products(), "http://localhost:5005")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "49 € im Monat" in html and 'href="/en/pricing"' in html


@pytest.mark.parametrize(("env", "connect_on"), [({}, "open"), ({"WIDGET_CONNECT_ON": "mount"}, "mount")])
def test_the_widget_waits_for_the_visitor_unless_mount_is_chosen(env: dict[str, str], connect_on: str) -> None:
    """Connecting on page load stores a session and sends the page context before the visitor
    asked for the chat, so it needs consent and is an explicit choice (docs/website.md)."""
    settings = settings_from_env(env)
    site = load_site(SITE_FILE)
    html = render_page(site, site.page("pricing", "de"), [], settings.chat_socket_url, settings.widget_connect_on)
    config = re.search(r'<script id="chat-config" type="application/json">(.*?)</script>', html)
    assert config is not None and json.loads(config.group(1))["connectOn"] == connect_on


def test_an_open_offer_is_put_again_below_a_new_greeting(services: Services) -> None:
    slots = {"language": "de", "privacy_notice_shown": True, "greeted_pages": ["pricing"], "pending_offer": "reviews"}
    dispatcher = CollectingDispatcher()
    events = ActionGreetPage(services).run(dispatcher, make_tracker([page_view("/produkte")], slots), {})
    assert events == [SlotSet("greeted_pages", ["pricing", "product"])]
    assert [m.get("response") for m in dispatcher.messages] == [None, "utter_offer"]
    silent = CollectingDispatcher()
    assert ActionGreetPage(services).run(silent, make_tracker([page_view("/preise")], slots), {}) == []
    assert silent.messages == [], "a page already greeted says nothing; the offer above is still the last question"
