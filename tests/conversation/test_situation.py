"""The visitor's situation from any message: sizes, energy cost, sector and the product in focus, de and en."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.conversation.situation import (
    BUSINESS,
    HOME,
    SENSE,
    Situation,
    added_count,
    bare_count,
    corrects_count,
    extract,
    fitting_product,
    from_slots,
    growth,
    slot_values,
    with_added,
    with_known_sites,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hallo, wir sind ne zahnarztpraxis mit 2 standorten", {"sites": 2, "sector": "medical_practice"}),
        ("Ich hab neun Bäckereifilialen und der Strom frisst uns auf", {"sites": 9, "sector": "bakery"}),
        ("We own 9 bakeries and electricity is killing us", {"sites": 9, "sector": "bakery"}),
        ("How much does it cost for our 3-bedroom house?", {"sites": None, "segment": None}),
        ("Wir wohnen in einer 4-Zimmer-Wohnung", {"sites": None, "segment": "b2c"}),
        ("Wir betreiben 20 Supermärkte in NRW", {"sites": 20, "sector": "supermarket"}),
        ("we run a coworking space with three locations", {"sites": 3, "sector": "office"}),
        ("wohnungsbaugesellschaft mit 14 wohnanlagen", {"sites": 14, "sector": "housing_company"}),
        ("wir haben ne halle mit 25 spritzgussmaschinen", {"measuring_points": 25, "sector": "manufacturing"}),
        ("paper mill, 40 machines we want to meter individually", {"measuring_points": 40}),
        ("die kühlaggregate einzeln messen, so 12 stück", {"measuring_points": 12}),
        ("hospital: chillers and ventilation, maybe 30 units", {"measuring_points": 30, "sector": "hospital"}),
        ("Was kostet das bei 25 Messpunkten?", {"measuring_points": 25}),
        ("small office, 12 people, one floor", {"employees": 12, "sector": "office"}),
        ("Ein Betrieb mit 50 Mitarbeitern", {"employees": 50}),
        ("fitnessstudiokette, achtzehn studios", {"sites": 18, "sector": "gym"}),
        ("chain of 15 car dealerships", {"sites": 15, "sector": "retail"}),
        ("für 50 kühlstellen, was kommt da noch dazu", {"measuring_points": 50}),
        ("cold storage warehouse with 8 refrigeration units", {"measuring_points": 8, "sector": "logistics"}),
        ("we're a family-run hotel, one building with 40 rooms", {"sites": 1, "segment": "b2b"}),
        ("the laundry room with 4 washers and 3 dryers", {"measuring_points": 7}),
        ("3 Öfen, 2 Kühlzellen und 4 Kompressoren", {"measuring_points": 9}),
        ("wir haben 25 maschinen, also 25 messpunkte", {"measuring_points": 25}),
        ("hi wir ham 7 waschstraßen in bayern", {"sites": 7, "sector": "car_wash"}),
        ("We operate 22 cinemas across the Netherlands", {"sites": 22, "sector": "leisure"}),
        ("a housing association managing fourteen residential blocks", {"sites": 14}),
        ("Dentallabor mit vier Fräsmaschinen, zwei Sinteröfen und einem Kompressor", {"measuring_points": 7}),
        ("Wenn wir an sechs Stellen messen – was kostet uns das?", {"measuring_points": 6}),
        ("3 hotels, kitchen, laundry and HVAC separately, so 9 points in total", {"sites": 3, "measuring_points": 9}),
        ("cold storage, 1 site, want to track 6 cooling units", {"sites": 1, "measuring_points": 6}),
        ("I own four launderettes and energy is killing me", {"sites": 4}),
        ("How much cost if every machine get one sensor?", {"measuring_points": None}),  # a ratio, not a count
        ("Can we bring in three years of old meter readings from CSV files?", {"measuring_points": None}),
        ("Wir sind ein kleines Büro, ein Standort, 12 Leute.", {"sites": 1, "employees": 12}),
        ("wir haben mehr als einen Standort", {"sites": None}),
        ("Wir haben eine Filiale und 12 Mitarbeiter", {"sites": 1, "employees": 12}),
        ("We run three co-working spaces", {"sites": 3, "sector": "office"}),
        ("Kühlhauslogistik, 3 Hallen mit je 4 Kühlaggregaten", {"sites": 3, "measuring_points": 12}),
        ("4 supermarkets, we'd meter the 6 largest cooling units in each store", {"sites": 4, "measuring_points": 24}),
        ("3 Werke, und pro Werk wollen wir die 5 größten Verbraucher messen", {"sites": 3, "measuring_points": 15}),
        ("20 machines, one sensor per machine, 2 sites", {"sites": 2, "measuring_points": 20}),
        ("We're a hospital and want to watch 25 ventilation units and chillers", {"measuring_points": 25}),
        ("kühlhaus, melkanlage und 2 lüftungen, also 4 sachen die viel strom ziehen", {"measuring_points": 4}),
        ("We'd like to monitor 15 air handling units individually", {"measuring_points": 15}),
        ("ok und für beide zähler, was kostet mich das?", {"measuring_points": 2, "segment": None}),  # house or plant
        ("we'd meter thirty-two presses", {"measuring_points": 32}),
        ("Wir verwalten 5 Mietshäuser, es geht um den Allgemeinstrom", {"sites": 5, "segment": "b2b"}),
        ("Bäckerei, unsere Anlagen: Ofen, Kühlhaus, Teigmaschine und Spülmaschine", {"measuring_points": 4}),
        ("ich wohne in einem Mehrfamilienhaus zur Miete", {"sites": None, "segment": "b2c"}),
        ("Wir haben dreiundvierzig Filialen", {"sites": 43}),
        ("we run 4 cafés in town", {"sites": 4}),
        ("3 halls with 6 cooling units each", {"sites": 3, "measuring_points": 18}),
        ("3 halls, 6 cooling units each of them on its own meter", {"sites": 3, "measuring_points": 6}),
    ],
)
def test_sizes_and_sectors_in_both_languages(text: str, expected: dict[str, object]) -> None:
    situation = extract(text)
    assert {key: getattr(situation, key) for key in expected} == expected


@pytest.mark.parametrize(
    ("text", "cost"),
    [
        ("Wir zahlen 90.000 € Strom im Jahr an 4 Standorten", Decimal(90000)),
        ("we spend about €90k a year on power", Decimal(90000)),
        ("Energiekosten rund 20 Tsd. im Jahr", Decimal(20000)),
        ("Stromkosten von 1,2 Mio € im Jahr", Decimal(1200000)),
        ("our energy bill is 1,200,000 EUR per year", Decimal(1200000)),
        ("stromrechnung war dieses jahr 1.200 euro", Decimal(1200)),
        ("our bill went up to like 2,100 a year", Decimal(2100)),
        ("3 Hotels, Energiekosten so ca 20k im Jahr pro Haus", Decimal(60000)),
        ("wir zahlen 3.000 € im Monat Strom", Decimal(36000)),  # a month: the year
        ("2 shops, about 2,400 EUR per shop per month", Decimal(57600)),
        ("40 stores, energy spend about €1.1m a year", Decimal(1100000)),
        ("4 sites, ~2,000,000 kWh/yr at about 25 ct/kWh", Decimal(500000)),  # consumption times unit price
        ("wir verbrauchen 300.000 kWh zu 0,28 €/kWh", Decimal(84000)),
        ("Energiekosten 120 TEUR p.a. über alle Filialen", Decimal(120000)),
        ("we pay roughly 400 euros for electricity a month", Decimal(4800)),
    ],
)
def test_annual_energy_cost_in_german_and_english_formats(text: str, cost: Decimal) -> None:
    assert extract(text).energy_cost_eur == cost


@pytest.mark.parametrize(
    ("text", "kwh"),
    [("Verbrauch 1,2 Mio kWh im Jahr", Decimal(1200000)), ("we use about 350 MWh a year", Decimal(350000)),
     ("rund 4.500 kWh", Decimal(4500))],
)  # fmt: skip
def test_consumption_in_kwh(text: str, kwh: Decimal) -> None:
    assert extract(text).consumption_kwh == kwh


@pytest.mark.parametrize(
    ("text", "product", "segment"),
    [
        ("We own 9 bakeries", BUSINESS, "b2b"),
        ("Maschinenbauer, drei Standorte, wir brauchen SSO", BUSINESS, "b2b"),
        ("Metallbaubetrieb mit 8 Maschinen", SENSE, "b2b"),
        ("we'd need 6 sensors on our compressors", SENSE, "b2b"),
        ("hi, wohne zur miete, 2 zimmer", HOME, "b2c"),
        ("reihenhaus, wärmepumpe, 4 personen", HOME, "b2c"),
        ("family of 4 in a semi detached", HOME, "b2c"),
        ("im just a guy in a flat, which one is for me", HOME, "b2c"),
        ("automotive supplier, about 120 machines across two plants", SENSE, "b2b"),
        ("metallbaubetrieb, 30 leute, der kompressor läuft nachts durch", SENSE, "b2b"),
        ("Steuerbüro mit 25 Mitarbeitern", BUSINESS, "b2b"),
        ("a winery: cooling for the tanks, a press, a bottling line. Can you measure each separately?", SENSE, "b2b"),
        ("wir betreiben 3 Tankstellen", BUSINESS, "b2b"),
        ("400-bed hospital, we want to monitor chillers and AHUs", SENSE, "b2b"),
        ("tomatoes under glass, energy bill last year was € 310k", SENSE, "b2b"),  # greenhouse: machines
        ("our energy bill is about €45k a year", BUSINESS, "b2b"),  # no household pays that much
        ("Grüezi, wir führen zwei Hostels in Luzern und Bern", BUSINESS, "b2b"),
        ("Druckerei, 2 Standorte, 14 Druckmaschinen plus Trockner", SENSE, "b2b"),
        ("fine. we have a cold storage warehouse, 1 site, want to track 6 cooling units", SENSE, "b2b"),
        ("Servus, wir sind ein Pensionistenehepaar im Reihenhaus", HOME, "b2c"),  # pensioners, no guesthouse
        ("E-Auto mit Wallbox, will sehen, was das Laden zuhause kostet", HOME, "b2c"),  # charging, no shop
        ("Kleine Pension mit 8 Gästezimmern im Allgäu", BUSINESS, "b2b"),
        ("Wir haben einen kleinen Laden in Graz", BUSINESS, "b2b"),
        ("wir sind ein Discounter mit 30 Filialen", BUSINESS, "b2b"),
        ("I'm a pensioner living alone", HOME, "b2c"),
        ("I run a home office", HOME, "b2c"),
        ("Privatunternehmen mit 8 Standorten", BUSINESS, "b2b"),  # no private household
        ("food manufacturer with 2 plants, we want to see compressors and cooling separately", SENSE, "b2b"),
        ("wir haben 3 Filialen und wollen jede Filiale getrennt sehen", BUSINESS, "b2b"),  # sites, no machines
        ("Gibt es Referenzen aus der Wohnungswirtschaft?", BUSINESS, "b2b"),
        ("2 Standorte, Heizung und Kühlung werden getrennt abgerechnet", BUSINESS, "b2b"),  # billed, not measured
        ("in our house we have 200 employees and 3 sites", BUSINESS, "b2b"),  # a firm, whatever "house" hints
        ("cold storage, 3 halls full of refrigeration units, we want to see each unit's consumption", SENSE, "b2b"),
    ],
)
def test_the_product_a_situation_implies(text: str, product: str, segment: str) -> None:
    situation = extract(text)
    assert (situation.product, situation.segment, fitting_product(situation)) == (product, segment, product)


@pytest.mark.parametrize(
    "text",
    ["Schlägt das System Alarm, wenn am Wochenende eine Maschine durchläuft?", "rufen Sie mich an: +49 30 1234 5670",
     "where is my data stored?", "Was kostet das?", "Im Jahr 2025 war alles teurer",
     "Kann mir euer Gerät sowas ersparen?", "Can we bring in old meter readings from CSV files?",
     "hatte mal so nen Steckdosen-Messgerät vom Discounter, totaler Schrott"],
)  # fmt: skip
def test_questions_without_facts_state_nothing(text: str) -> None:
    assert not extract(text).has_facts()


def test_household_people_are_not_employees() -> None:
    assert extract("reihenhaus, 4 personen").employees is None


def test_a_meter_named_by_a_company_with_sites_is_no_household_clip() -> None:
    text = "We operate 5 camping sites in Croatia and Austria, every site has own electricity meter."
    assert extract(text, "wattwerk-home").product == "wattwerk-business"


def test_a_named_product_wins_over_the_implied_one() -> None:
    assert extract("Wir haben 6 Lager, kann Sense das?", SENSE).product == SENSE


def test_later_messages_refine_and_never_forget() -> None:
    first = extract("Wir sind eine Zahnarztpraxis mit 2 Standorten")
    later = first.refined(extract("Wir zahlen 18.000 € im Jahr für Strom"))
    assert (later.sites, later.energy_cost_eur, later.sector, later.product) == (2, Decimal(18000), "medical_practice",
                                                                                 BUSINESS)  # fmt: skip
    assert later.refined(extract("inzwischen sind es 3 Standorte")).sites == 3


def test_slots_round_trip() -> None:
    situation = Situation(sites=9, energy_cost_eur=Decimal(90000), sector="bakery", segment="b2b", product=BUSINESS)
    slots = {**slot_values(situation), "segment": "b2b", "product": BUSINESS}
    assert from_slots(slots.get) == situation


def test_slots_with_junk_are_ignored() -> None:
    assert from_slots({"situation_sites": "neun Stück", "product": "wattwerk-toaster"}.get) == Situation()


@pytest.mark.parametrize(
    ("text", "count"),
    [("und für 25?", 25), ("was kostet das für die 8", 8), ("what about sixteen", 16), ("and for 15 %?", None),
     ("was kostet das", None), ("ok ordering 2, one for my parents. total?", 2), ("Was kostet es für 30 User?", None),
     ("und mit 4 zimmern?", None), ("Gibt es eine Probezeit von 30 Tagen oder so?", None),
     ("could we only do the 5 biggest ones first?", 5), ("How much cost if every machine get one sensor?", None),
     ("and the one-off fee for that one?", None), ("my neighbour wants one as well, price?", None),
     ("and for one?", 1), ("what if it's just one site", 1),
     ("Bestellnummer WW-4711-22, schaut ihr mal nach?", None), ("and when the 16th opens?", None)],
)  # fmt: skip
def test_a_bare_count_in_a_follow_up(text: str, count: int | None) -> None:
    assert bare_count(text) == count


@pytest.mark.parametrize(
    ("known", "text", "sites", "machines"),
    [
        (Situation(sites=14), "we're opening 3 more next spring, does that change anything?", 17, None),
        (Situation(sites=14), "Wir eröffnen zwei weitere Filialen", 16, None),
        (Situation(measuring_points=12), "und 4 weitere Maschinen kommen dazu", None, 16),
        (Situation(), "wir haben 3 neue Standorte", 3, None),  # nothing known: the count itself
        (Situation(sites=14), "und für 25?", None, None),  # a new count, not an added one
        (Situation(sites=3), "und wenn ne vierte dazukommt?", 4, None),  # an ordinal: the new total
        (Situation(sites=3), "and if we add a 4th site?", 4, None),
        (Situation(measuring_points=8), "wenn eine neunte Maschine dazukommt", None, 9),
        (Situation(sites=3), "wait a second, one more question", None, None),  # no growth
    ],
)
def test_counts_added_to_what_was_said(known: Situation, text: str, sites: int | None, machines: int | None) -> None:
    said = with_added(known, extract(text), text)
    assert (said.sites, said.measuring_points) == (sites, machines)
    assert bare_count(text) == (25 if "25" in text else None)


@pytest.mark.parametrize(
    ("known", "text", "sites", "machines"),
    [
        (Situation(), "We have 10 Sense measuring points and want to add 5 more", None, 15),  # in one message
        (Situation(), "Wir nutzen Starter für 3 Filialen, jetzt kommen 2 neue dazu", 5, None),
        (Situation(sites=4), "one more question: do you have an API?", None, None),  # no site added
        (Situation(), "router steht im 1. stock, zählerschrank im keller", None, None),  # an ordinal counts nothing
        (Situation(), "4 sites with 10 machines and we add 5 more machines", 4, 15),  # the added noun decides
        (Situation(), "10 machines, and we open 2 new stores", 2, 10),
        (Situation(sites=12), "we add 2 new users and need two more years", None, None),  # no sites
        (Situation(sites=12), "3 weitere Mitarbeiter kommen dazu", None, None),
        (Situation(sites=12), "We need 5 more licences", None, None),
        (Situation(sites=12), "Wir brauchen 5 weitere Lizenzen", None, None),
        (Situation(), "Wir sind Starter-Kunde mit 3 Standorten, jetzt kommt ein vierter dazu.", 4, None),
    ],
)
def test_counts_in_one_message(known: Situation, text: str, sites: int | None, machines: int | None) -> None:
    said = with_added(known, extract(text), text)
    assert (said.sites, said.measuring_points) == (sites, machines)


def test_a_cost_per_site_counts_the_sites_said_before() -> None:
    text = "energy spend is about 2,400 EUR per site per month. what could we realistically save?"
    assert with_known_sites(Situation(sites=12), extract(text), text).energy_cost_eur == Decimal(345600)
    text = "2,400 EUR per month per site"
    assert with_known_sites(Situation(sites=12), extract(text), text).energy_cost_eur == Decimal(345600)
    for text in ("we pay 90k a year", "€300,000 a year and we would need 2 sensors per site"):  # no cost per site
        said = extract(text)
        assert with_known_sites(Situation(sites=12), said, text).energy_cost_eur == said.energy_cost_eur


@pytest.mark.parametrize(("text", "count"), [("und für die 25. Was wäre das?", 25), ("router im 1. Stock", None)])
def test_a_count_at_the_end_of_a_sentence_is_no_ordinal(text: str, count: int | None) -> None:
    assert bare_count(text) == count


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3 Standorte, 8 Maschinen, Energiekosten 20.000 € pro Standort", {"sites": 3, "measuring_points": 8}),
     ("10 machines in total, each site has its own main meter, 3 sites", {"sites": 3, "measuring_points": 10}),
     ("insgesamt 12 Maschinen, jeder Standort hat einen Hauptzähler, 2 Standorte",
      {"sites": 2, "measuring_points": 12})],
)  # fmt: skip
def test_a_total_or_a_cost_per_site_multiplies_no_machines(text: str, expected: dict) -> None:
    said = extract(text)
    assert {key: getattr(said, key) for key in expected} == expected


def test_a_date_is_no_growing_ordinal() -> None:
    known = Situation(sites=3)
    text = "Die neue Filiale öffnet den 15. März, könnt ihr bis dahin liefern?"
    assert growth(known, extract(text), text) is None
    text = "und ein 4. Standort kommt dazu?"
    assert growth(known, extract(text), text) == ("sites", 3, 1)


@pytest.mark.parametrize("text", ["is the €49 plan enough for 5 shops?", "Reicht das 149-€-Paket für uns?"])
def test_one_of_our_prices_is_no_energy_cost(text: str) -> None:
    assert extract(text).energy_cost_eur is None


@pytest.mark.parametrize(
    ("text", "added"),
    [("und wenn noch 6 Kühlzellen dazukommen?", 6), ("what if we add 3 chillers later", 3),
     ("plus 2 Filialen im Herbst?", 2), ("noch 2 Fragen hätte ich", None), ("wir haben noch 3 Jahre Vertrag", None),
     ("4 Filialen kommen im Frühjahr dazu", 4), ("wir haben 4 Filialen dazu ein Lager", None),
     ("wir haben nur noch 3 Filialen", None), ("und wenn wir noch 4 Kühlzellen dazunehmen?", 4)],
)  # fmt: skip
def test_sites_or_machines_added_with_their_noun(text: str, added: int | None) -> None:
    assert added_count(text) == added


@pytest.mark.parametrize(
    ("text", "corrects"),
    [("sorry, 14 not 41", True), ("nicht 30, sondern 13 Standorte", True), ("I meant 8", True),
     ("we have 12 sites, not too many", False), ("14 Filialen", False)],
)  # fmt: skip
def test_a_corrected_count(text: str, corrects: bool) -> None:
    assert corrects_count(text) is corrects
    if corrects:
        assert bare_count(text) in (14, 13, 8)


@pytest.mark.parametrize(
    ("text", "machines"),
    [("say 10 measuring points per plant, what's that in money", 20), ("je Werk 6 Sensoren", 12),
     ("4 Kühltruhen je Filiale", 8), ("10 measuring points in total", 10),
     ("ok one oven per site so 9 ovens, what's the one-off", 9),  # the total after "so"
     ("8 measuring points, each on a compressor", 8), ("8 Messpunkte, jeweils an einem Kompressor", 8)],
)  # fmt: skip
def test_a_count_of_machines_per_site_counts_the_sites_said_before(text: str, machines: int) -> None:
    assert with_known_sites(Situation(sites=2), extract(text), text).measuring_points == machines
