"""How a visitor arrived (first touchpoint), from the page context the website widget sends."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlparse

TOUCHPOINTS = ("ad", "search", "social", "referral", "campaign", "direct")
_SEARCH = ("google.", "bing.", "duckduckgo.", "ecosia.", "yahoo.", "qwant.", "startpage.", "yandex.", "baidu.")
_SOCIAL = ("linkedin", "facebook", "instagram", "tiktok", "twitter", "x.com", "xing", "youtube", "pinterest",
           "reddit", "t.co", "lnkd.in", "fb.")  # fmt: skip
_PAGE_KEYS = {"path", "url", "title", "referrer", "utm", "language", "page_language", "ref"}
#: a customer's referral code (bot/aftersale/referrals.py): 8 characters without 0/O and 1/I/L
REFERRAL_CODE = re.compile(r"^[2-9A-HJKMNP-Z]{8}$")
_PAID = ("cpc", "ppc", "paid", "paidsearch", "paid_social", "paidsocial", "display", "cpm", "ads", "ad", "banner")


def touchpoint(context: Mapping[str, Any], own_host: str | None = None) -> str:
    """`ad`, `search`, `social`, `referral`, `campaign` or `direct`, from a customer's referral link, UTM parameters
    and the referrer."""
    if referral_code(context):
        return "referral"
    utm = context.get("utm") or {}
    source = str(utm.get("source") or "").lower()
    medium = str(utm.get("medium") or "").lower()
    if medium in _PAID or "paid" in medium:
        return "ad"
    if (source and any(s in source for s in _SOCIAL)) or medium == "social":
        return "social"
    if source or medium or utm.get("campaign"):
        return "search" if medium in ("organic", "seo") else "campaign"
    host = urlparse(str(context.get("referrer") or "")).netloc.lower()
    if not host or (own_host and host.endswith(own_host)):
        return "direct"
    if any(s in host for s in _SEARCH):
        return "search"
    if any(s in host for s in _SOCIAL):
        return "social"
    return "referral"


def referral_code(page: Mapping[str, Any] | None) -> str | None:
    """The referral code of the page the visitor arrived on (`ref` in the widget's page context, or in the URL)."""
    if not page:
        return None
    raw = page.get("ref")
    if not raw:
        raw = (parse_qs(urlparse(str(page.get("url") or "")).query).get("ref") or [""])[0]
    code = str(raw or "").strip().upper()
    return code if REFERRAL_CODE.match(code) else None


def page_context(metadata: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The page context part of a message's metadata (`{"page": {...}}` or the fields at the top level)."""
    if not isinstance(metadata, Mapping):
        return {}
    page = metadata.get("page")
    if isinstance(page, Mapping):
        return page
    # Rasa adds its own keys (model_id, assistant_id): only page fields count.
    return metadata if _PAGE_KEYS & set(metadata) else {}
