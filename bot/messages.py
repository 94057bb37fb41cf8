"""Editor-owned chat texts for catalogue answers (data/content/messages.yml), in German and English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.schemas import MessagesFile, parse_messages_document, placeholders_of, read_messages

LANGUAGES = ("de", "en")

#: Per message, the values the code fills in when it shows it: the placeholders an editor may use. `make content`
#: and a running bot refuse a text that uses another one (the bot could not fill it), and
#: tests/content/test_messages_schema.py checks this table against the code's calls.
FILLED: Mapping[str, tuple[str, ...]] = {
    "product_info": ("description", "docs_url", "features", "product_name"),
    "fault_support": (),
    "choose_product": (),
    "prices": ("plans", "product_name"),
    "specs": ("docs_url", "hosting", "integrations", "product_name", "specs"),
    "reviews_summary": ("average", "count", "product_name"),
    "review": ("author", "review_date", "review_text", "source", "stars"),
    "review_answer": ("answer",),
    "video": ("product_name", "video_url"),
    "voucher": ("code", "product_name", "valid_until", "value"),
    "voucher_named_valid": ("code", "product_name", "valid_from", "valid_until", "value"),
    "voucher_expired": ("code", "valid_from", "valid_until", "value"),
    "voucher_not_yet": ("code", "valid_from", "valid_until", "value"),
    "price_with_voucher": ("calculation", "code", "one_off"),
    "no_voucher": ("product_name",),
    "catalogue_unavailable": (),
    "roi_ask_units": ("product_name", "units"),
    "roi_ask_energy_cost": ("example", "scope"),
    "roi_ask_savings_rate": ("product_name", "typical"),
    "roi_invalid_units": (),
    "roi_invalid_energy_cost": (),
    "roi_invalid_savings_rate": (),
    "roi_result": (
        "annual_running_cost", "annual_savings", "energy_cost", "monthly_running_cost", "net_3y", "one_off_cost",
        "payback", "plan", "product_name", "savings_rate", "tco_3y", "units", "units_count",
    ),
    "roi_payback_months": ("months",),
    "roi_payback_within_a_month": (),
    "roi_payback_immediate": (),
    "roi_payback_never": (),
    "boss_summary": ("download_url", "roi_note", "url"),
    "boss_summary_roi_note": (),
    "summary_title": ("product_name",),
    "summary_benefits": (),
    "summary_roi": ("annual_savings", "energy_cost", "payback", "savings_rate", "tco_3y", "units", "units_count"),
    "summary_no_roi": ("product_name", "typical"),
    "summary_reviews": ("average", "count"),
    "summary_contact": (),
    "summary_not_found": (),
    "summary_notice_title": (),
    "summary_rating_aloud": ("rating",),
    "summary_expired": ("days",),
    "lead_ask_name": (),
    "lead_ask_company": (),
    "lead_ask_contact": (),
    "lead_invalid_contact": (),
    "lead_consent": ("contact",),
    "lead_no_consent": (),
    "lead_confirm_soon": ("hours", "name_part", "salesperson", "salesperson_first"),
    "lead_confirm_later": ("name_part", "salesperson", "salesperson_first", "when"),
    "lead_already": ("salesperson",),
    "lead_ask_callback": (),
    "lead_callback_saved": ("callback_time",),
    "lead_self_service": (),
    "privacy_notice": ("privacy_url",),
    "referral_link": ("code", "link"),
    "nps_question": (),
    "nps_question_customer_area": (),
    "nps_unprompted": (),
    "nps_promoter_thanks": (),
    "support_no_consent": (),
    "nps_unclear": (),
    "nps_promoter": ("platforms", "product_name"),
    "nps_referral": ("code", "link"),
    "nps_passive": (),
    "nps_comment_saved": (),
    "nps_comment_skipped": (),
    "nps_detractor": (),
    "support_ask_contact": (),
    "support_confirm_soon": ("hours", "name_part", "salesperson", "salesperson_first"),
    "support_confirm_later": ("name_part", "salesperson", "salesperson_first", "when"),
    "support_already": ("salesperson",),
    "upsell_to_sales": (),
    "upsell_self_service": (),
    "data_deleted": ("privacy_contact",),
    "data_deleted_delivered": ("privacy_contact",),
    "live_button": (),
    "live_offer": ("salesperson",),
    "live_wait": (),
    "live_joined": ("salesperson",),
    "live_ended": ("salesperson",),
    "live_missed": (),
    "live_unavailable": (),
    "live_needs_contact": (),
    "meeting_button": (),
    "meeting_choose": ("salesperson", "time_zone"),
    "meeting_booked": ("link", "minutes", "salesperson", "when"),
    "meeting_taken": (),
    "meeting_none": ("salesperson",),
    "meeting_needs_contact": (),
    "meeting_page_title": (),
    "meeting_page_booked": ("minutes", "salesperson", "when"),
    "meeting_page_cancelled": ("when",),
    "meeting_page_download": (),
    "meeting_page_move": (),
    "meeting_page_move_button": (),
    "meeting_page_cancel_button": (),
    "meeting_page_moved": (),
    "meeting_page_taken": (),
    "meeting_page_no_slots": (),
    "meeting_page_unknown": (),
    "meeting_invitation_summary": ("salesperson",),
    "meeting_invitation_text": ("link",),
    "data_deletion_failed": ("privacy_contact",),
    "price_quote": ("count", "monthly", "note", "one_off", "plan_name", "product_name", "units"),
    "price_quote_no_one_off": (),
    "price_quote_annual": ("monthly", "yearly"),
    "annual_billing_for_size": ("count", "monthly", "plan_name", "product_name", "twelve", "units", "yearly"),
    "price_first_year": ("monthly", "one_off", "total"),
    "price_years": ("monthly", "months", "one_off", "total", "years"),
    "price_years_annual": ("one_off", "total", "yearly", "years"),
    "price_quote_yearly": ("monthly", "yearly"),
    "price_growth_units": ("added", "monthly", "one_off", "units"),
    "price_growth_unit": ("monthly", "one_off", "units"),
    "price_growth_plan_one": ("monthly", "plan_name", "units"),
    "price_growth_plan": ("count", "monthly", "plan_name", "units"),
    "price_quote_alternatives": ("plans",),
    "combined_total": (
        "business_monthly", "business_name", "business_once", "monthly", "once", "plan_name", "points",
        "sense_monthly", "sense_name", "sense_once", "sites",
    ),
    "situation_sense_with_business": ("monthly", "plan_name", "product_name", "sites"),
    "situation_reason_business": ("scope",),
    "situation_reason_sense": ("scope",),
    "situation_reason_home": ("scope",),
    "situation_scope_business": (),
    "situation_scope_sense": (),
    "situation_scope_home": (),
    "situation_scope_count": ("count", "units"),
    "situation_scope_one": ("units",),
    "situation_savings": ("energy_cost", "rate", "savings"),
    "situation_next_budget_owner": (),
    "situation_next_budget_owner_known": (),
    "situation_next_technical": (),
    "situation_next_skeptic": (),
    "situation_next_influencer": (),
    "situation_next_experience_seeker": (),
    "situation_next_b2b": (),
    "situation_next_b2c": (),
    "roi_prefilled": ("known", "product_name", "rate"),
    "roi_prefilled_units": ("count", "units"),
    "roi_prefilled_cost": ("energy_cost",),
    "roi_prefilled_and": (),
    "situation_noted": (),
    "roi_intro": (),
    "lead_known": ("known",),
    "known_product": ("product_name",),
    "known_sites": ("count",),
    "known_measuring_points": ("count",),
    "known_employees": ("count",),
}  # fmt: skip


@dataclass(frozen=True)
class Messages:
    templates: Mapping[str, Mapping[str, str]]

    def render(self, key: str, language: str | None, /, **values: Any) -> str:
        """The message in the visitor's language (German when unknown), with the values filled in."""
        template = self.templates[key]["en" if language == "en" else "de"]
        try:
            return template.format(**{key: "" if value is None else value for key, value in values.items()})
        except KeyError as error:  # the code does not pass what FILLED promises: a programming error, named
            missing = ", ".join(sorted(placeholders_of(template) - set(values)))
            raise KeyError(f"messages.yml: {key} needs {missing}, which the code did not pass") from error

    def placeholders(self, name: str) -> set[str]:
        return {field for text in self.templates[name].values() for field in placeholders_of(text)}


def parse_messages(document: Any, display: str = "messages.yml") -> Messages:
    """The messages from the file's parsed YAML; every mistake raised as one ContentError (file, line, field)."""
    return _messages(parse_messages_document(document, display, filled=FILLED))


def load_messages(path: Path) -> Messages:
    """Read and check the file; every mistake raised as one ContentError naming the file, the line and the field,
    which a running bot answers by keeping the last good version (bot/reloading.py)."""
    return _messages(read_messages(path, filled=FILLED))


def _messages(checked: MessagesFile) -> Messages:
    return Messages({str(name): {"de": text.de, "en": text.en} for name, text in checked.messages.items()})
