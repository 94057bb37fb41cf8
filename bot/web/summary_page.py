"""The one-page summary for decision makers, as a self-contained HTML page (everything escaped)."""

from __future__ import annotations

from html import escape

from bot.catalogue.schema import Product
from bot.catalogue.service import average_rating, fitting_reviews
from bot.formatting import day, number, stars
from bot.messages import Messages
from bot.roi_report import percent, roi_values
from bot.summaries import Summary

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;
color:#1d2b36;line-height:1.5}h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:1.6rem;
border-bottom:2px solid #f2a900}.lead{font-size:1.1rem}.roi{background:#fff7e0;padding:.8rem 1rem;border-radius:6px}
blockquote{margin:.6rem 0;padding:.4rem .9rem;border-left:4px solid #d6dde3}.meta{color:#5a6b78;font-size:.9rem}
footer{margin-top:2rem;font-size:.95rem}@media print{body{margin:0}}
"""


def render_summary(summary: Summary, product: Product, messages: Messages) -> str:
    """Product, benefits, the visitor's ROI result (or the typical one), two reviews and the contact."""
    lang = summary.language
    e = escape
    title = messages.render("summary_title", lang, product_name=product.name)
    benefits = "".join(f"<li>{e(f.get(lang))}</li>" for f in product.features)
    if summary.roi:
        roi = messages.render("summary_roi", lang, **roi_values(summary.roi, product, lang, messages))
    else:
        typical = percent(product.roi.savings_rate, lang) if product.roi else "10–20 %"
        roi = messages.render("summary_no_roi", lang, product_name=product.name, typical=typical)
    reviews = fitting_reviews(product.reviews, language=lang, count=2)
    quotes = "".join(
        f"<blockquote>{stars(r.rating)} „{e(r.text)}“<div class='meta'>{e(r.author)} · {e(r.source)} · "
        f"{e(day(r.date, lang))}</div></blockquote>"
        for r in reviews
    )
    heading = messages.render(
        "summary_reviews", lang, average=number(average_rating(product.reviews), lang), count=len(product.reviews)
    )
    return (
        f"<!doctype html><html lang='{e(lang)}'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{e(title)}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>{e(title)}</h1><p class='lead'>{e(product.short.get(lang))}</p>"
        f"<p>{e(product.description.get(lang))}</p>"
        f"<h2>{e(messages.render('summary_benefits', lang))}</h2><ul>{benefits}</ul>"
        f"<p class='roi'>{e(roi)}</p>"
        f"<h2>{e(heading)}</h2>{quotes}"
        f"<footer>{e(messages.render('summary_contact', lang))}</footer></body></html>"
    )
