"""The one-page summary for the boss: the action that creates it and the page it links to."""

from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.summary import ActionCreateBossSummary
from bot.catalogue.service import fitting_reviews
from bot.formatting import stars
from bot.summaries import Summary, find_summary
from bot.web.summary_page import render_summary, render_summary_notice
from tests.helpers import make_tracker, user

ROI = {
    "product": "wattwerk-business", "plan": "business-professional", "units": 4,
    "annual_energy_cost_eur": "60000", "savings_rate": "0.15", "annual_savings_eur": "9000.00",
    "annual_running_cost_eur": "1788.00", "one_off_cost_eur": "490.00", "payback_months": "0.8",
    "tco_3y_eur": "5854.00", "net_3y_eur": "21146.00",
}  # fmt: skip
NOW = dt.datetime(2026, 11, 23, 10, tzinfo=dt.timezone.utc)


def test_the_summary_link_is_given_in_the_visitors_language_with_the_roi_result(catalogue_services) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        [user("I need a one-pager for my boss", "ask_boss_material")],
        {"language": "en", "product": "wattwerk-business", "roi_result": ROI},
    )
    assert ActionCreateBossSummary(catalogue_services).run(dispatcher, tracker, {}) == []
    (text,) = [m["text"] for m in dispatcher.messages]
    assert text.startswith("Here is your summary for the decision makers") and "your ROI estimate" in text
    token = text.split("/summary/")[1].split()[0]
    stored = find_summary(catalogue_services.session_factory, token)
    assert stored is not None
    assert stored == Summary(token, "test-visitor", "en", "wattwerk-business", ROI, stored.created_at)
    max_age = dt.timedelta(days=catalogue_services.settings.summary_link_days)
    assert not stored.expired(catalogue_services.now(), max_age)
    assert f"{catalogue_services.settings.web_base_url}/summary/{token}?download=1" in text


def test_the_page_shows_product_benefits_roi_reviews_and_contact(catalogue_services) -> None:
    business = next(p for p in catalogue_services.catalogue.products() if p.id == "wattwerk-business")
    page = render_summary(Summary("t", "c", "de", business.id, ROI, NOW), business, catalogue_services.messages.get())
    assert "<title>Wattwerk Business – Zusammenfassung für Entscheider</title>" in page
    assert "Ihre Rechnung: 9.000 € Einsparung pro Jahr, Amortisation nach etwa 0,8 Monaten" in page
    assert page.count("<blockquote>") == 2 and "vertrieb@wattwerk.example" in page
    assert all(f.de.split()[0] in page for f in business.features)


def test_without_a_calculation_the_page_names_the_typical_savings(catalogue_services) -> None:
    home = next(p for p in catalogue_services.catalogue.products() if p.id == "wattwerk-home")
    page = render_summary(Summary("t", "c", "en", home.id, None, NOW), home, catalogue_services.messages.get())
    assert "Customers typically save 12% of their energy costs with Wattwerk Home." in page


def test_visitor_text_on_the_page_is_escaped(catalogue_services) -> None:
    home = next(p for p in catalogue_services.catalogue.products() if p.id == "wattwerk-home")
    review = home.reviews[0]
    hostile = type(home)(**{**home.__dict__, "reviews": (type(review)(**{**review.__dict__, "rating": 5,
                         "text": "<script>alert(1)</script>"}),)})  # fmt: skip
    page = render_summary(Summary("t", "c", "de", home.id, None, NOW), hostile, catalogue_services.messages.get())
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_screen_reader_hears_the_language_the_landmarks_and_the_rating_in_words(catalogue_services) -> None:
    business = next(p for p in catalogue_services.catalogue.products() if p.id == "wattwerk-business")
    page = render_summary(Summary("t", "c", "en", business.id, None, NOW), business, catalogue_services.messages.get())
    assert page.startswith("<!doctype html>\n<html lang='en'>") and page.count("<main>") == 1
    assert "<footer>" in page.split("</main>")[1], "the contact is the page's footer, outside the main content"
    (rating, *_) = [r.rating for r in fitting_reviews(business.reviews, language="en", count=2)]
    assert f"<span class='stars' aria-hidden='true'>{stars(rating)}</span>" in page
    assert f"<span class='sr-only'>{rating} out of 5 stars</span>" in page


@pytest.mark.parametrize("language", ["de", "en"])
def test_an_expired_or_unknown_link_gets_a_page_in_the_visitors_language(language: str, services) -> None:
    page = render_summary_notice("<b>gone</b>", language, services.messages.get())
    assert f"<html lang='{language}'>" in page and "<title>" in page and "<h1>" in page
    assert "&lt;b&gt;gone&lt;/b&gt;" in page and "<b>" not in page
    title = "Zusammenfassung" if language == "de" else "Summary for decision makers"
    assert f"<title>{title}</title>" in page
