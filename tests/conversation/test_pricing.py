"""Worked-out prices from the shipped catalogue: the plan for the size, monthly and one-off, in both formats."""

from __future__ import annotations

import pytest

from bot.catalogue.schema import Product
from bot.conversation.answers import growth_note, price_for_size
from bot.conversation.pricing import (
    asked_years,
    asks_annual_billing,
    asks_price,
    asks_savings,
    bare_billing_period,
    quote,
    quote_message,
    settles_price,
    years_message,
)
from bot.conversation.situation import Situation
from bot.services import Services


@pytest.fixture()
def products(catalogue_services: Services) -> dict[str, Product]:
    return {p.id: p for p in catalogue_services.catalogue.products()}


@pytest.mark.parametrize(
    ("product_id", "units", "plan", "monthly", "one_off"),
    [
        ("wattwerk-business", 1, "business-starter", 49, 0),
        ("wattwerk-business", 3, "business-starter", 49, 0),
        ("wattwerk-business", 4, "business-professional", 149, 490),
        ("wattwerk-business", 15, "business-professional", 149, 490),
        ("wattwerk-business", 16, "business-enterprise", 144, 1490),
        ("wattwerk-business", 20, "business-enterprise", 180, 1490),
        ("wattwerk-sense", 8, "sense-platform", 32, 3120),
        ("wattwerk-sense", 25, "sense-platform", 100, 9750),
        ("wattwerk-home", 2, "home-basic", 0, 158),
    ],
)
def test_the_plan_for_the_size(products: dict[str, Product], product_id: str, units: int, plan: str, monthly: int,
                               one_off: int) -> None:  # fmt: skip
    q = quote(products[product_id], units)
    assert q is not None
    assert (q.plan.id, q.monthly_eur, q.one_off_eur) == (plan, monthly, one_off)


@pytest.mark.parametrize(
    ("product_id", "units", "language", "shown"),
    [
        ("wattwerk-sense", 25, "de", ["25 × 4 € = 100 €", "25 × 390 € = 9.750 €", "Messpunkte"]),
        ("wattwerk-sense", 25, "en", ["25 × €4 = €100", "25 × €390 = €9,750", "measuring points"]),
        ("wattwerk-business", 20, "de", ["Enterprise", "20 × 9 € = 180 €", "1.490 €"]),
        ("wattwerk-business", 9, "en", ["Professional", "€149", "€490", "9 sites"]),
        ("wattwerk-business", 2, "de", ["Starter", "49 €", "keine Einrichtungsgebühr", "Professional"]),
        ("wattwerk-home", 2, "en", ["2 × €79 = €158", "Home Plus", "also work"]),
        ("wattwerk-sense", 25, "de", ["Im Jahr sind das 12 × 100 € = 1.200 €."]),  # monthly per unit: the year too
    ],
)
def test_the_calculation_is_shown_in_the_visitors_format(
    products: dict[str, Product], catalogue_services: Services, product_id: str, units: int, language: str,
    shown: list[str],
) -> None:  # fmt: skip
    q = quote(products[product_id], units)
    assert q is not None
    text = quote_message(q, language, catalogue_services.messages.get())
    assert all(part in text for part in shown), text


def test_no_quote_for_zero(products: dict[str, Product]) -> None:
    assert quote(products["wattwerk-business"], 0) is None


@pytest.mark.parametrize(
    ("text", "asks"),
    [("kosten?", True), ("8 units, what's the total", True), ("was kostet das ding für alle filialen zusammen?", True),
     ("wie viel kostet so ein messpunkt", True), ("price?", True),
     ("Preis für alle neun Aggregate bitte, einmalig und laufend.", True),
     ("Für 4 Messpunkte, what's the damage", True),
     ("Could you confirm the monthly fee and any one-off charges for that number of buildings", True),
     ("stromkosten sind so 14.000 € im jahr für beide zusammen", False), ("Wir zahlen 90.000 € Strom im Jahr", False),
     ("energy spend about €1.1m a year, can you give me a business case?", False),
     ("Sieht man damit auch, wie viel meine PV-Anlage einspeist?", False),  # an amount of energy
     ("Can it show how much my solar panels feed into the grid?", False), ("which plan would we need?", True),
     ("and how do i pay, card?", False), ("Kann ich per PayPal zahlen?", False),  # how to pay, not what
     ("what does it cost by card?", True),
     ("Können wir die Kosten pro Filiale direkt in DATEV übernehmen?", False),  # costs as data
     ("can we export the costs per cost centre?", False), ("was kostet der SAP-Export extra?", True)],
)  # fmt: skip
def test_a_price_question_is_told_from_a_stated_cost(text: str, asks: bool) -> None:
    assert asks_price(text) is asks


@pytest.mark.parametrize(
    ("product_id", "text", "known", "shown"),
    [
        # the plan the visitor names, for the size they said or gave before
        ("wattwerk-home", "was kostet des Plus im Jahr", Situation(), ["Home Plus", "12 × 3,99 € = 47,88 €"]),
        ("wattwerk-home", "Und mit dem Plus-Abo für alle drei?", Situation(),
         ["3 × 3,99 € = 11,97 €", "3 × 79 € = 237 €"]),
        ("wattwerk-business", "und mit Professional?", Situation(sites=2), ["Tarif Professional", "149 €", "490 €"]),
        ("wattwerk-business", "und mit Professional?", Situation(sites=20), ["Tarif Enterprise"]),  # too small
        ("wattwerk-business", "Was kostet das?", Situation(sites=2), ["Tarif Starter"]),  # none named: the cheapest
    ],
)  # fmt: skip
def test_a_named_plan_is_worked_out(
    products: dict[str, Product], catalogue_services: Services, product_id: str, text: str, known: Situation,
    shown: list[str],
) -> None:  # fmt: skip
    q = price_for_size(products[product_id], known, text)
    assert q is not None
    reply = quote_message(q, "de", catalogue_services.messages.get())
    assert all(part in reply for part in shown), reply


@pytest.mark.parametrize(
    ("product_id", "text", "known", "language", "shown", "note"),
    [
        # machines added in the same message: the total, and what the added ones cost on their own
        ("wattwerk-sense", "We have 10 Sense measuring points and want to add 5 more. What's the cost?", Situation(),
         "en", ["15 measuring points", "15 × €4 = €60"], ["5 × €390 = €1,950", "5 × €4 = €20"]),
        # sites added later: the plan for the total, and the smaller plan that is enough until then
        ("wattwerk-business", "We run 15 supermarkets and will open 2 more next spring. Which plan now and later?",
         Situation(), "en", ["Enterprise", "17 × €9 = €153"], ["15 sites", "Professional", "€149"]),
        ("wattwerk-business", "jetzt kommen 2 neue Filialen dazu, was kostet das dann?", Situation(sites=3), "de",
         ["Tarif Professional", "149 €"], ["bisherigen 3 Standorte", "Starter", "49 €"]),
        # one more: singular
        ("wattwerk-sense", "We have 10 measuring points and add one more. What's the cost?", Situation(), "en",
         ["11 measuring points"], ["The additional measuring point on its own costs €390"]),
        # nothing added ("one more question" adds no site)
        ("wattwerk-business", "one more question: the price for 10 sites?", Situation(), "en", ["Professional"], []),
    ],
)  # fmt: skip
def test_added_units_are_worked_out(
    products: dict[str, Product], catalogue_services: Services, product_id: str, text: str, known: Situation,
    language: str, shown: list[str], note: list[str],
) -> None:  # fmt: skip
    messages = catalogue_services.messages.get()
    q = price_for_size(products[product_id], known if known.sites else Situation(), text)
    if known.sites:  # said before: the slots already hold the total (action_track_journey)
        q = price_for_size(products[product_id], Situation(sites=known.sites + 2), text)
    assert q is not None
    reply = quote_message(q, language, messages)
    assert all(part in reply for part in shown), reply
    added = growth_note(q, text, language, messages)
    if note:
        assert added is not None and all(part in added for part in note), added
    else:
        assert added is None


@pytest.mark.parametrize(
    ("text", "annual"),
    [("Und wenn wir gleich fürs ganze Jahr zahlen?", True), ("spart man was wenn man jährlich zahlt", True),
     ("and if I pay for the year upfront?", True), ("gibts das auch mit jahresrechnung", True),
     ("Lohnt sich das im ersten Jahr?", False), ("Was kostet das im Jahr?", False)],
)  # fmt: skip
def test_paying_for_a_year_at_once_is_told_from_a_yearly_figure(text: str, annual: bool) -> None:
    assert asks_annual_billing(text) is annual


@pytest.mark.parametrize(
    ("text", "savings"),
    [("Was sparen wir realistisch?", True), ("and what could we save", True), ("Wie viel kann ich sparen?", True),
     ("spart man was wenn man jährlich zahlt", False), ("Was kostet das?", False),
     ("Was bringt uns das konkret?", True), ("ok but what's in it for us", True),
     ("Was bringt Home Plus mehr als Basis?", False),  # the plans compared, not the savings
     ("Was bringt uns die API?", False), ("what does it do for me exactly?", False)],
)  # fmt: skip
def test_a_question_about_savings_is_told(text: str, savings: bool) -> None:
    assert asks_savings(text) is savings


@pytest.mark.parametrize(
    ("text", "years"),
    [("Und was kostet uns das im ersten Jahr?", 1), ("and what would we pay in year one?", 1),
     ("What's the 3-year TCO on your mid-tier plan?", 3), ("was kostet das über drei Jahre", 3),
     ("was kostet das für 30 Tage", None), ("was kostet das im Monat?", None),
     ("we've been around for 10 years, 12 shops, what does it cost?", None), ("5 years warranty?", None),
     ("per year?", 1), ("und aufs Jahr gerechnet?", 1), ("What does it cost over a year?", 1),
     ("And if the thing breaks after a year?", None), ("wir zahlen 90.000 € im Jahr", None)],
)  # fmt: skip
def test_the_years_a_cost_question_asks_for(text: str, years: int | None) -> None:
    assert asked_years(text) == years


@pytest.mark.parametrize(
    ("product_id", "units", "years", "language", "shown"),
    [
        ("wattwerk-business", 6, 1, "de", ["490 € einmalig + 12 × 149 € = 2.278 €", "490 € + 1 × 1.490 € = 1.980 €"]),
        ("wattwerk-business", 10, 3, "en", ["€490 one-off + 36 × €149 = €5,854", "€490 + 3 × €1,490 = €4,960"]),
        ("wattwerk-sense", 10, 1, "en", ["€3,900 one-off + 12 × €40 = €4,380"]),
    ],
)
def test_the_cost_over_years_is_worked_out(
    products: dict[str, Product], catalogue_services: Services, product_id: str, units: int, years: int,
    language: str, shown: list[str],
) -> None:  # fmt: skip
    q = quote(products[product_id], units)
    assert q is not None
    text = years_message(q, years, language, catalogue_services.messages.get())
    assert all(part in text for part in shown), text


@pytest.mark.parametrize(
    ("text", "period"),
    [("und jährlich?", "year"), ("And annually?", "year"), ("and monthly?", "month"), ("und im Jahr?", "month"),
     ("jährlich zahlen, geht das?", None), ("monthly reports?", None)],
)  # fmt: skip
def test_a_bare_follow_up_about_a_billing_period(text: str, period: str | None) -> None:
    assert bare_billing_period(text) == period


@pytest.mark.parametrize("text", ["und wenn noch 4 Kühlzellen dazukommen?", "and if we add 4 chillers?"])
def test_machines_added_with_their_noun_are_priced_with_the_known_ones(
    products: dict[str, Product], text: str
) -> None:
    # 8 said before; the slots already hold the total of 12 (action_track_journey)
    q = price_for_size(products["wattwerk-sense"], Situation(measuring_points=12), text)
    assert q is not None and q.units == 12


@pytest.mark.parametrize(
    ("text", "settled"),
    [("will the clip read it without a PIN? price is fine btw", True),
     ("der Preis passt. Wann könnt ihr liefern?", True),
     ("was ein messpunkt kostet hab ich gesehen, passt", True), ("ok what does it cost", False),
     ("ok how much is it, fine print?", False), ("price is fine, but what about the one-off costs?", False),
     ("Was kostet das?", False), ("please let me know the monthly fee for 3 sites", False),
     ("Ich weiß nicht, was das kostet. Könnt ihr mir das sagen?", False), ("price is fine", True)],
)  # fmt: skip
def test_a_price_said_in_passing_to_be_fine_is_told(text: str, settled: bool) -> None:
    assert settles_price(text) is settled
