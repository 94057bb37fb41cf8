"""Worked-out prices: the plan that fits a size, and what it costs per month and once.

Plan rules come from the catalogue (data/content/products/*.yml):
- tiered products (a plan with `max_units` or a `min_units` above 1, e.g. Business Starter/Professional/
  Enterprise by site count) have a one-off amount per account (onboarding, set-up);
- untiered products (Sense per measuring point, Home per clip) sell hardware: the one-off amount is per unit.
A monthly price is per unit when the plan says `per_unit`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bot.catalogue.schema import Plan, Product, Voucher, plan_words
from bot.formatting import money, number, plan_line, unit_name
from bot.messages import Messages
from bot.numbers import NUMBER_WORDS
from bot.roi import PlanPrice, RoiInputError, cheapest_plan
from bot.text import clauses, is_question, normalize, words

#: words that ask what something costs (both languages), e.g. a short follow-up about money ("€ per month for
#: 30?", "und was zahl ich dann für den clip", "total?"); "Stromkosten" or "energy cost 90k" are facts
_PRICE_CUE = re.compile(
    r"€|\b(?:kost\w*|preis\w*|richtpreis|price\w*|pricing|cost\w*|how much(?! (?:we|i|you|they|energy|"
    r"electricity|power|do (?:we|i|you)|does (?:it|the \w+) (?:use|save|consume))\b)|wie ?viel(?! (?:wir|ich|strom|"
    r"energie|verbrauch)\b)|total|gesamt\w*|insgesamt|"
    r"ballpark|was macht das|zahl\w*|pay|einmalig|one-off|monatlich|per month|pro monat|im monat|fees?|gebühr\w*|"
    r"monthly (?:figure|number|total|amount|rate|bill)|rough figure|cho?sch?tet|chostet|koscht\w*|"
    r"charges?|damage|cheapest|günstigste\w*|billigste\w*|(?:which|what) (?:plan|package|tier)|"
    r"welche[nrs]? (?:tarif|plan|paket)|(?:kleinste|smallest|biggest|largest|gr(?:ö|oe)(?:ß|ss)te)[nms]? "
    r"(?:tarif|plan|paket|package|tier))\b",
    re.IGNORECASE,
)
_ASKS = re.compile(r"\?|\b(?:was|wie|what|how|whats|what's|bitte|please|pls|plz|could|can|would|nennen|"
                   r"tell me|confirm)\b|^\W*\w+\W*$", re.IGNORECASE)  # fmt: skip
_COST_FACT = re.compile(r"(?:kosten|cost|costs|spend|zahlen|pay)\s+(?:von|of|sind|are|is|liegen|about|ca|rund|so)?"
                        r"\s*[~€\d]", re.IGNORECASE)  # fmt: skip


#: paying for a year at once ("wenn wir fürs ganze Jahr zahlen", "spart man was, wenn man jährlich zahlt", "pay for the
#: year upfront"): a question about the annual billing terms, not about payback
_ANNUAL_BILLING = re.compile(
    r"j(?:ä|ae)hrlich\w* (?:\w+ )?(?:zahl|bezahl|abrechn|abgerechnet)|"
    r"(?:zahl|bezahl)\w* (?:\w+ ){0,3}(?:fürs|für das|das) ganze jahr|"
    r"(?:fürs|für das) ganze jahr (?:\w+ ){0,3}(?:zahl|bezahl)|im voraus|jahres(?:rechnung|zahlung|abrechnung)|"
    r"annual(?:ly)? (?:billing|payment|invoice)|yearly (?:billing|payment)|"
    r"pay (?:\w+ ){0,2}(?:annually|yearly|for the (?:whole |full )?year|upfront|up front)|billed (?:annually|yearly)",
    re.IGNORECASE,
)


def asks_annual_billing(text: str) -> bool:
    """True when the message asks about paying for a year at once."""
    return bool(_ANNUAL_BILLING.search(text))


#: a bare follow-up after a price: "und jährlich?" asks for annual billing, "and monthly?" for the monthly price
_BARE_ANNUAL = re.compile(r"^\W*(?:(?:und|and|or|oder|also|so)\s+)?(?:j(?:ä|ae)hrlich|annual(?:ly)?|yearly)\W*$",
                          re.IGNORECASE)
_BARE_MONTHLY = re.compile(r"^\W*(?:(?:und|and|or|oder|also|so)\s+)?(?:monatlich|monthly|per month|pro monat|"
                           r"im monat|a month|per year|pro jahr|im jahr|a year|fürs jahr|for a year)\W*$",
                           re.IGNORECASE)


def bare_billing_period(text: str) -> str | None:
    """"year" when the whole message asks about annual billing after a price ("und jährlich?"), "month" when it asks
    for the price per month or year ("and monthly?", "und im Jahr?"); None otherwise."""
    if _BARE_ANNUAL.match(text or ""):
        return "year"
    return "month" if _BARE_MONTHLY.match(text or "") else None


#: a voucher code as shops print them ("SOMMER25", "WILLKOMMEN10"), or one in lower case after the word code/voucher
_CODE_SHAPED = re.compile(r"\b[A-ZÄÖÜ]{4,}\d{1,3}\b")
_CODE_WORD = r"(?:code|gutschein\w*|rabattcode|promo\w*|voucher|coupon)"
_NAMED_CODE = re.compile(rf"\b{_CODE_WORD}\W+[a-zäöü]{{4,}}\d{{1,3}}\b|\b[a-zäöü]{{4,}}\d{{1,3}}\W+{_CODE_WORD}",
                         re.IGNORECASE)


#: someone else who wants one too, and a deal for them ("my sister wants one too, any deal for her?", "mein Nachbar will
#: auch einen, gibts da was für ihn?")
_SOMEONE_ELSE = re.compile(r"\b(?:sister|brother|friends?|neighbou?rs?|mum|mom|dad|parents|cousin|schwester|bruder|"
                           r"freund(?:in|e|en|innen)?|nachbar\w*|mutter|mama|vater|papa|eltern|schwager\w*|"
                           r"schwieger\w*|cousin\w*)\b", re.IGNORECASE)
_DEAL_FOR_THEM = re.compile(r"\bdeal|discount|rabatt|gutschein|code|vergünstig|"
                            r"was für (?:ihn|sie|die)\b|(?:something|anything) for (?:him|her|them)\b|"
                            r"what (?:can|do) (?:he|she|they) get", re.IGNORECASE)


def refers_someone(text: str) -> bool:
    """True when a customer asks for a deal for someone else who wants one too."""
    return bool(_SOMEONE_ELSE.search(text) and _DEAL_FOR_THEM.search(text))


#: what visitors say about a code they type: it fails, is it valid, how to redeem it ("SOMMER25 geht nicht??")
_CODE_TROUBLE = re.compile(r"geht nicht|funktioniert nicht|klappt nicht|(?:doesn|don|isn)'?t work|not work|invalid|"
                           r"ung(?:ü|ue)ltig|g(?:ü|ue)ltig|\bvalid|einl(?:ö|oe)s|redeem|\bapply|akzeptier|accept|\bgilt\b|"
                           r"abgelaufen|expired", re.IGNORECASE)
#: what visitors say about using a code ("can i still use SOMMER25?"), counted only for a name shaped like a voucher
#: code with two digits ("SAML2", "MQTT5" are protocols)
_CODE_USE = re.compile(r"\buse\b|\bstill\b|kombinier|combin|verwend|benutz|anrechn|eingeben|\benter\b", re.IGNORECASE)
_VOUCHER_SHAPED = re.compile(r"\b[A-ZÄÖÜ]{5,}\d{2,3}\b")


_MENTIONS_CODE = re.compile(rf"\b{_CODE_WORD}\b", re.IGNORECASE)


def mentions_voucher(text: str) -> bool:
    """True when the message speaks of a code or voucher ("how much is the clip with that code", "mit Gutschein?")."""
    return bool(_MENTIONS_CODE.search(text))


def names_voucher_code(text: str) -> bool:
    """True when the message names a voucher code ("Der Code SOMMER25 geht nicht", "does TEST60 still work?"); a
    name with digits ("die ACME24 GmbH", "MQTT5") is none without a word about codes or their validity."""
    return bool(_NAMED_CODE.search(text) or (_CODE_SHAPED.search(text) and _CODE_TROUBLE.search(text))
                or (_VOUCHER_SHAPED.search(text) and _CODE_USE.search(text)))


#: an amount of energy ("wie viel meine PV-Anlage einspeist", "how much my solar panels feed in"), unless money is named
_ENERGY_AMOUNT = re.compile(r"einspeis|feeds?\b|verbrauch|consum|produz|produc|erzeug|generat", re.IGNORECASE)
_MONEY = re.compile(r"€|kost|cost|preis|price|zahl|\bpay|geb(?:ü|ue)hr|\bfees?\b", re.IGNORECASE)


#: how to pay ("how do i pay, card?", "kann ich per PayPal zahlen"): a payment method, not a price
_PAYMENT_METHOD = re.compile(
    r"how (?:do|can|could|would) (?:i|we) pay|"
    r"wie (?:kann|k(?:ö|oe)nnen|k(?:ö|oe)nnte|zahle|bezahle) (?:ich|wir|man)?\s*(?:\w+ )?(?:be)?zahl|"
    r"zahlungs(?:art|mittel|methode)|payment method|(?:pay|zahlen|bezahlen) (?:by|with|via|per|mit)\b|"
    r"\b(?:card|kreditkarte|karte|paypal|sepa|lastschrift|(?:ü|ue)berweisung|bank transfer|apple pay|klarna)\b",
    re.IGNORECASE,
)
#: what it saves ("was sparen wir realistisch?", "and what could we save"): the payback calculator, not a price
_SAVINGS = re.compile(r"\b(?:was|wie ?viel|how much|what)\b.{0,30}\b(?:spar\w*|save|saving\w*|einspar\w*)\b|"
                      r"\bwas bringt (?:uns|mir|es|das)(?: (?:das|uns|mir|denn|konkret|(?:ü|ue)berhaupt|eigentlich|"
                      r"genau|wirklich|am ende))*\s*[?.!]*\s*$|\bwhat'?s in it for (?:us|me)\b|"
                      r"\bwhat (?:do|would|will) (?:we|i) get out of (?:it|this|that)\b",
                      re.IGNORECASE)  # fmt: skip


#: the first year ("was kostet uns das im ersten Jahr?", "what would we pay in year one?") or several years ("the 3-year
#: TCO", "über drei Jahre"): the total for that time is worked out
_FIRST_YEAR = re.compile(r"\b(?:first|1st|erste[nmrs]?|1\.)\s+(?:full\s+)?(?:year|jahr)|\byear (?:one|1)\b|"
                         r"\bjahr (?:eins|1)\b", re.IGNORECASE)  # fmt: skip
_YEARS = re.compile(r"\b(?:over|within|for the next|über|ueber|für|fuer|auf)\s+(?:the\s+)?"
                    r"(?:next\s+|nächsten\s+|naechsten\s+)?"
                    r"(\d{1,2}|two|three|four|five|zwei|drei|vier|fünf|fuenf)[\s-]*(?:years?|jahre?n?)\b|"
                    r"\b(\d{1,2}|two|three|four|five|zwei|drei|vier|fünf|fuenf)[\s-]*(?:years?|jahres?)[\s-]*"
                    r"(?:tco|total|gesamtkosten|kosten|costs?)\b", re.IGNORECASE)  # fmt: skip


#: a follow-up that asks what the price makes a year ("per year?", "und aufs Jahr gerechnet?", "with Plus for both,
#: per year?"); with a number in it, "im Jahr" states a cost instead ("90.000 € im Jahr")
_PER_YEAR = re.compile(r"\b(?:per year|per annum|yearly total|annual total|pro jahr|im jahr|aufs jahr|auf das jahr|"
                       r"aufs ganze jahr|f(?:ü|ue)rs jahr|j(?:ä|ae)hrlich gerechnet)\b|"
                       r"\bfor the year\b|(?<!after )(?<!within )(?<!in )\ba year\W*$", re.IGNORECASE)  # fmt: skip


def asked_years(text: str) -> int | None:
    """How many years the message asks the cost for (the first year: 1, also "per year?"; "over 3 years", "the 3-year
    TCO": 3), if any (2 to 10 years); "we've been around for 10 years" or "5 years warranty" ask none."""
    if _FIRST_YEAR.search(text) or (_PER_YEAR.search(text) and not re.search(r"\d", text)):
        return 1
    match = _YEARS.search(text)
    if match is None:
        return None
    word = (match.group(1) or match.group(2)).lower()
    years = int(word) if word.isdigit() else NUMBER_WORDS[normalize(word)]
    return years if 2 <= years <= 10 else None


def asks_payment_method(text: str) -> bool:
    """True for a question about how to pay, without a word about what it costs."""
    return bool(_PAYMENT_METHOD.search(text)) and not re.search(r"kost|cost|preis|price|€|how much|wie ?viel",
                                                                text, re.IGNORECASE)


#: whether it pays off, or what to show the person who signs ("zahlt si des aus?", "my boss wants numbers")
_PAYBACK = re.compile(r"\blohn|rechnet sich|rentab|rentier|amorti|zahlt (?:sich|si)\b|pay ?back|"
                      r"(?:pays?|paid|earn) (?:for )?itself|pays? off|paid off|(?:paid|earned) back|"
                      r"(?:pays?|earns?) (?:it|itself|that) back|wieder (?:drin|rein)|\breinge(?:holt|spielt)|"
                      r"bezahlt (?:gemacht|macht)|macht sich (?:\w+ )?bezahlt|"
                      r"\bworth|\broi\b|break.?even", re.IGNORECASE)
_DECIDER = re.compile(r"\bchef\w*|\bboss|vorgesetzt|gesch(?:ä|ae)ftsf(?:ü|ue)hr|\bmanagement|vorlegen|(?:ü|ue)berzeug|"
                      r"convince|freigeb|freigabe|sign.?off|approv|business case", re.IGNORECASE)


def asks_payback(text: str) -> bool:
    """True when the message asks whether it pays off, or when ("what payback do customers see?")."""
    return bool(_PAYBACK.search(text))


def asks_payoff(text: str) -> bool:
    """True when the message asks whether it pays off or for figures to convince a decision maker."""
    return asks_payback(text) or bool(_DECIDER.search(text))


def asks_savings(text: str) -> bool:
    """True for a question about what it saves, or what it brings ("Was bringt uns das konkret?")."""
    return bool(_SAVINGS.search(text))


def asks_energy_amount(text: str) -> bool:
    """True for a question about an amount of energy without a word about money ("how much we feed into the grid")."""
    return bool(_ENERGY_AMOUNT.search(text) and not _MONEY.search(text))


#: the total for everything said, for a year ("und für alle zwölf zusammen aufs Jahr?", "for all of them per year?")
_TOTAL_FOR_ALL = re.compile(
    r"\b(?:alle|all|zusammen|together|altogether|in total)\b[^.?!]{0,30}"
    r"(?:aufs jahr|per year|a year|pro jahr|im jahr|yearly|jährlich|annually|per annum)\b",
    re.IGNORECASE,
)
#: costs as data to export or allocate ("die Kosten in SAP haben", "costs per cost centre into our ERP"), not a price
_COSTS_AS_DATA = re.compile(
    r"\b(?:kosten|costs?)\b[^.?!]{0,40}\b(?:in|ins|nach|into|to|an)\s+(?:unser\w* |our |the |das |die )?"
    r"(?:sap|datev|excel|erp|buchhaltung|accounting|controlling|bi\b|power ?bi|dashboard)|"
    r"\b(?:export\w*|exportier\w*|übertrag\w*|import\w*)\b[^.?!]{0,30}\b(?:kosten|costs?)\b(?! (?:extra|etwas|was))|"
    r"kostenstelle\w*|cost (?:centre|center|allocation)s?",
    re.IGNORECASE,
)


#: a question that can only be about the price ("what's the cheapest plan?", "was kostet das?"), whatever else the
#: message mentions ("after the trial, …")
_PLAIN_PRICE = re.compile(
    r"\b(?:(?:which|what|cheapest|smallest|günstigste\w*|billigste\w*|kleinste\w*|welche[nrs]?) (?:\w+ )?"
    r"(?:plan|tarif|paket|package|tier)|was kostet|what does (?:it|that|this) cost|"
    r"how much (?:is|does|would) (?:it|that|this))\b",
    re.IGNORECASE,
)


def asks_plain_price(text: str) -> bool:
    """True for a question that asks only what it costs or which plan it takes."""
    return asks_price(text) and bool(_PLAIN_PRICE.search(text))


#: the price already known and accepted ("price is fine btw", "was ein Messpunkt kostet hab ich gesehen, passt")
_SETTLED = re.compile(r"\b(?:fine|ok|okay|passt|no problem|kein problem|gesehen|seen|gelesen|know|wei(?:ß|ss)|kenn\w*|"
                      r"clear|klar|egal|doesn'?t matter|not (?:an|the) issue|kein thema|in ordnung|acceptable|"
                      r"reasonable|fair)\b", re.IGNORECASE)  # fmt: skip


#: the price not known, or asked for all the same ("ich weiß nicht, was das kostet", "let me know the monthly fee")
_UNSETTLED = re.compile(r"\w+n't\b|\b(?:dont|doesnt|didnt|havent|cant|isnt|wont|arent|nicht|nich|ned|net|not|"
                        r"kein\w*(?! (?:problem|thema))|never|nie|let me|"
                        r"like to|want to|wanna|need to|wissen|erfahren|tell me|sagen|nennen|find)\b",
                        re.IGNORECASE)  # fmt: skip
#: a clause that starts by asking ("ok what does it cost", "und wie viel kostet das")
_ASKING_START = re.compile(r"^\W*(?:(?:ok|okay|so|and|und|also|na|hm+)\W+)*(?:what|how|which|can|could|would|is|are|"
                           r"was kostet|wie ?viel|wie teuer|welche\w*|kann|k(?:ö|oe)nn\w*|gibt)\b",
                           re.IGNORECASE)  # fmt: skip


def settles_price(text: str) -> bool:
    """True when the message says in passing that the price is known or fine and asks for none ("will the clip read
    it without a PIN? price is fine btw"): its questions are about something else."""
    parts = clauses(text)

    def lone_settled(i: int) -> bool:  # a clause that is only "passt", "fine"
        return i < len(parts) and bool(_SETTLED.fullmatch(parts[i].strip(" .!,")))

    settled = [i for i, part in enumerate(parts) if "?" not in part and _PRICE_CUE.search(part)
               and not _ASKING_START.search(part) and not _UNSETTLED.search(part) and (
                   _SETTLED.search(part) or lone_settled(i + 1))]
    if not settled:
        return False
    settled += [i + 1 for i in settled if lone_settled(i + 1)]
    rest = " ".join(part for i, part in enumerate(parts) if i not in settled)  # without a lone "passt" after it
    return not rest.strip() or (is_question(rest) and not asks_price(rest))  # what is left asks no price


def asks_price(text: str) -> bool:
    """True when the message asks what it costs (`kosten?`, `8 units, what's the total`, `was kostet das für alle
    filialen zusammen`), not when it states a cost (`Stromkosten sind 14.000 €`) or asks an amount of energy."""
    if asks_energy_amount(text) or asks_payment_method(text) or _COSTS_AS_DATA.search(text):
        return False
    cue = _PRICE_CUE.search(text) or _TOTAL_FOR_ALL.search(text)
    return bool(cue and _ASKS.search(text) and not _COST_FACT.search(text))


@dataclass(frozen=True)
class Quote:
    """What `units` of a product cost with the plan that fits."""

    product: Product
    plan: Plan
    units: int
    monthly_eur: Decimal
    one_off_eur: Decimal
    one_off_per_unit: bool

    @property
    def alternatives(self) -> tuple[Plan, ...]:
        """Other plans that cover the same size (e.g. Professional for 3 sites when SSO is needed)."""
        return tuple(p for p in self.product.plans if p.id != self.plan.id and _covers(p, self.units))


def _covers(plan: Plan, units: int) -> bool:
    return units >= plan.min_units and (plan.max_units is None or units <= plan.max_units)


def is_tiered(product: Product) -> bool:
    return any(p.max_units is not None or p.min_units > 1 for p in product.plans)


def named_plan(product: Product, text: str) -> Plan | None:
    """The one plan of `product` the message names ("mit dem Plus-Abo", "Professional"), if exactly one."""
    said = set(words(text))
    named = [plan for plan in product.plans if said & plan_words(product, plan)]
    return named[0] if len(named) == 1 else None


def plan_prices(product: Product, units: int) -> list[PlanPrice]:
    """What each plan of `product` costs for `units`: the monthly price, and the one-off amount, times `units` for
    a plan whose one-off amount is per unit (a Sense kit per measuring point, a clip per household)."""
    return [PlanPrice(p.id, p.price_eur, p.one_off_eur * units if p.one_off_per_unit else p.one_off_eur, p.per_unit,
                      p.max_units, p.min_units)
            for p in product.plans]  # fmt: skip


def quote(product: Product, units: int, plan: Plan | None = None) -> Quote | None:
    """`plan` (when it covers `units`), else the cheapest plan over three years that covers them, worked out; None if
    no plan does."""
    if units < 1 or not product.plans:
        return None
    prices = plan_prices(product, units)
    if plan is None or not _covers(plan, units):
        try:
            chosen = cheapest_plan(prices, units)
        except RoiInputError:
            return None
        plan = next(p for p in product.plans if p.id == chosen.plan_id)
    price = next(p for p in prices if p.plan_id == plan.id)
    return Quote(product, plan, units, price.monthly_cost(units), price.one_off_eur, plan.one_off_per_unit)


def monthly_calculation(q: Quote, language: str) -> str:
    """`20 × 9 € = 180 €` for a per-unit price, `149 €` for a flat one."""
    if q.plan.per_unit and q.units > 1:
        return f"{q.units} × {money(q.plan.price_eur, language)} = {money(q.monthly_eur, language)}"
    return money(q.monthly_eur, language)


def one_off_calculation(q: Quote, language: str) -> str:
    """`25 × 390 € = 9.750 €` for hardware per unit, `490 €` for a set-up fee."""
    if q.one_off_per_unit and q.units > 1:
        return f"{q.units} × {money(q.plan.one_off_eur, language)} = {money(q.one_off_eur, language)}"
    return money(q.one_off_eur, language)


def years_message(q: Quote, years: int, language: str, messages: Messages) -> str:
    """What the quote makes over `years` (the first year: 1): the one-off amount plus the monthly fees, and with annual
    billing for tiered subscriptions (2 months saved each year)."""
    months = 12 * years
    total = q.one_off_eur + months * q.monthly_eur
    text = messages.render("price_years" if years > 1 else "price_first_year", language, years=years,
                           one_off=money(q.one_off_eur, language), months=months,
                           monthly=money(q.monthly_eur, language), total=money(total, language))  # fmt: skip
    if is_tiered(q.product) and q.monthly_eur > 0:
        yearly = q.monthly_eur * 10
        text += messages.render("price_years_annual", language, one_off=money(q.one_off_eur, language), years=years,
                                yearly=money(yearly, language),
                                total=money(q.one_off_eur + years * yearly, language))  # fmt: skip
    return text


def quote_message(q: Quote, language: str, messages: Messages) -> str:
    """The worked-out price as chat text (data/content/messages.yml `price_quote`), in the visitor's format."""
    if q.one_off_eur == 0:
        one_off = messages.render("price_quote_no_one_off", language)
    else:
        one_off = one_off_calculation(q, language)
    note = ""
    if is_tiered(q.product) and q.monthly_eur > 0:  # tiered subscriptions: annual billing saves 2 months
        note = messages.render("price_quote_annual", language, monthly=money(q.monthly_eur, language),
                               yearly=money(q.monthly_eur * 10, language))  # fmt: skip
    elif q.monthly_eur > 0:  # a monthly fee per clip or measuring point: what it makes a year
        note = messages.render("price_quote_yearly", language, monthly=money(q.monthly_eur, language),
                               yearly=money(q.monthly_eur * 12, language))  # fmt: skip
    if q.alternatives:
        unit = q.product.roi.unit.get(language) if q.product.roi else ""
        units = q.product.roi.units.get(language) if q.product.roi else ""
        lines = "\n".join(plan_line(p, unit, units, language) for p in q.alternatives)
        note += messages.render("price_quote_alternatives", language, plans=lines)
    return messages.render(
        "price_quote", language, product_name=q.product.name, count=q.units,
        units=unit_name(q.product, q.units, language), plan_name=q.plan.name.get(language),
        monthly=monthly_calculation(q, language), one_off=one_off, note=note,
    )  # fmt: skip


def years_messages(q: Quote, years: int, language: str, messages: Messages, plan_named: bool) -> list[str]:
    """What the quote makes over `years`; for a product priced per unit whose plans differ only in the monthly fee
    (Basis or Home Plus), each other plan's total too when the visitor named none."""
    said = [years_message(q, years, language, messages)]
    if plan_named or is_tiered(q.product):
        return said
    for plan in q.alternatives:
        other = quote(q.product, q.units, plan)
        if other is not None:
            said.append(f"{plan.name.get(language)}: {years_message(other, years, language, messages)}")
    return said


def voucher_message(q: Quote, voucher: Voucher, language: str, messages: Messages) -> str | None:
    """What the quote's one-off amount comes to with a discount code, worked out (`79 € − 10 % = 71,10 €`); None when
    the code takes nothing off it."""
    if not voucher.has_discount or q.one_off_eur <= 0:
        return None
    if voucher.discount_percent is not None:
        off = number(voucher.discount_percent, language, 0) + ("%" if language == "en" else " %")
    else:
        off = money(voucher.discount_eur or Decimal(0), language)
    discounted = voucher.discounted(q.one_off_eur)
    return messages.render("price_with_voucher", language, code=voucher.code, one_off=money(q.one_off_eur, language),
                           calculation=f"{money(q.one_off_eur, language)} − {off} = {money(discounted, language)}")
