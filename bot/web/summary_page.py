"""The one-page summary for decision makers: a self-contained HTML page (bot/web/templates/summary.html).

Jinja2 with autoescape renders it, so every text (catalogue, reviews, messages) is escaped. The page
carries its own styles and no scripts: it works as a download, under the web app's strict CSP, on a
phone and printed. Headings, landmarks, the page language and the star ratings are readable aloud.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Template

from bot.catalogue.schema import Product
from bot.catalogue.service import average_rating, fitting_reviews
from bot.formatting import day, number, stars
from bot.messages import Messages
from bot.roi_report import percent, roi_values
from bot.summaries import Summary
from bot.web.jinja import environment


@cache
def _template() -> Template:
    return environment().get_template("summary.html")


def render_summary(summary: Summary, product: Product, messages: Messages) -> str:
    """Product, benefits, the visitor's ROI result (or the typical one), two reviews and the contact."""
    lang = summary.language
    if summary.roi:
        roi = messages.render("summary_roi", lang, **roi_values(summary.roi, product, lang, messages))
    else:
        typical = percent(product.roi.savings_rate, lang) if product.roi else "10–20 %"
        roi = messages.render("summary_no_roi", lang, product_name=product.name, typical=typical)
    reviews = [
        {"stars": stars(r.rating), "rating_text": messages.render("summary_rating_aloud", lang, rating=r.rating),
         "text": r.text, "author": r.author, "source": r.source, "date": day(r.date, lang)}
        for r in fitting_reviews(product.reviews, language=lang, count=2)
    ]  # fmt: skip
    return _template().render(
        lang=lang,
        title=messages.render("summary_title", lang, product_name=product.name),
        short=product.short.get(lang),
        description=product.description.get(lang),
        benefits_heading=messages.render("summary_benefits", lang),
        benefits=[f.get(lang) for f in product.features],
        roi=roi,
        reviews_heading=messages.render(
            "summary_reviews", lang, average=number(average_rating(product.reviews), lang), count=len(product.reviews)
        ),
        reviews=reviews,
        contact=messages.render("summary_contact", lang),
    )


def render_summary_notice(text: str, language: str, messages: Messages) -> str:
    """The page for a summary link that has expired or never existed: language, title, heading, the text."""
    title = messages.render("summary_notice_title", language)
    return environment().get_template("summary_notice.html").render(lang=language, title=title, text=text)
