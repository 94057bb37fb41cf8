"""What the editors' texts claim must agree with the catalogue's fields (bot/catalogue/claims.py): `make content`
lists every contradiction with file, line and field and loads nothing, the shipped content has none, and each of
the three the content had (issue 15) is found again when put back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.catalogue.loader import check_content, main
from bot.catalogue.schema import ContentError
from bot.config import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "data" / "content"


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    """A copy of data/content/ to edit."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def contradictions_after(content: Path, file: str, old: str, new: str) -> list[str]:
    path = content / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        check_content(content / "products")
    return [str(problem) for problem in caught.value.problems]


def test_the_shipped_texts_agree_with_the_catalogue() -> None:
    assert [product.id for product in check_content(CONTENT / "products")]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        # 1. Sense: "ab 390 € pro Messpunkt", and a plan whose 390 € one-off amount was not marked as per point
        ("products/wattwerk-sense.yml", "    one_off_per_unit: true\n", "",
         "products/wattwerk-sense.yml, line 9, description.de: says 390 € per Messpunkt for Wattwerk Sense, but plan "
         "sense-platform has that as a one-off amount that is not per unit (one_off_per_unit: false)"),
        # 2. Home: "etwa 150 € im Jahr", while savings_rate × typical_energy_cost_eur = 0.12 × 1,400 € = 168 €
        ("products/wattwerk-home.yml", "etwa 170 € im Jahr", "etwa 150 € im Jahr",
         "products/wattwerk-home.yml, line 9, description.de: says Wattwerk Home saves about 150 € a year, but "
         "savings_rate × typical_energy_cost_eur = 0.12 × 1.400 € = 168 €"),
        ("knowledge.yml", "roughly €170 a year", "roughly €150 a year",
         "knowledge.yml, line 651, entries[60].answer.en: says Wattwerk Home saves about €150 a year"),
        # 3. Business: "nach 4–9 Monaten", while the calculator with the typical values gives under a month
        ("products/wattwerk-business.yml", "hat sich meist schon im ersten Monat bezahlt", "hat sich meist nach "
         "4–9 Monaten bezahlt", "products/wattwerk-business.yml, line 9, description.de: says it pays for itself in "
         "'4–9 Monaten', but the ROI calculator with Wattwerk Business's typical values gives 0–0.5 months"),
        ("messages.yml", "usually pays for itself within the first month", "usually pays for itself within 4–9 months",
         "messages.yml, line 278, messages.roi_intro.en: says it pays for itself in '4–9 months'"),
        # more of the same kinds
        ("knowledge.yml", "Professional (149 € im Monat, bis 15 Standorte)", "Professional (159 € im Monat, bis 15 "
         "Standorte)", "says 159 € a month for Wattwerk Business Professional, but the catalogue's monthly price is "
         "149 €"),
        ("products/wattwerk-business.yml", "Einmalig 490 € für das begleitete", "Einmalig 590 € für das begleitete",
         "plans[2].description.de: says 590 € once for Wattwerk Business Professional, but the catalogue's one-off "
         "amount is 490 €"),
        ("responses.yml", "3 × 12 × 49 € = 1.764 €", "3 × 12 × 49 € = 1.746 €",
         "responses.yml, line 129, responses.utter_tco.de: says '3 × 12 × 49 € = 1.746 €', but that makes 1.764 €"),
        ("messages.yml", "mit dem Code WILLKOMMEN10 sparen Sie 10 %", "mit dem Code WILLKOMMEN10 sparen Sie 15 %",
         "messages.lead_self_service.de: says WILLKOMMEN10 gives 15 %, but the voucher gives 10 %"),
        ("products/wattwerk-business.yml", "Our customers typically save 10–20% of their energy cost",
         "Our customers typically save 20–30% of their energy cost",
         "description.en: says 20–30% savings for Wattwerk Business, but its savings_rate is 15 %"),
        ("products/wattwerk-home.yml", "Bei typischen 1.400 € Stromkosten", "Bei typischen 1.200 € Stromkosten",
         "roi.typical_results.de: says a typical energy cost of 1.200 € for Wattwerk Home, but typical_energy_cost_eur "
         "is 1.400 €"),
    ],
)  # fmt: skip
def test_a_contradiction_is_listed_with_file_line_and_field(
    content: Path, file: str, old: str, new: str, expected: str
) -> None:
    found = contradictions_after(content, file, old, new)
    assert any(expected in problem for problem in found), found


def test_the_same_claims_that_agree_are_not_listed(content: Path) -> None:
    """A number the catalogue confirms, or one the sentence does not claim about the product, is no problem."""
    path = content / "messages.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("(ca. 170 € im Jahr)", "(ca. 165 € im Jahr)", 1), encoding="utf-8")  # within 5 %
    check_content(content / "products")


def test_make_content_loads_nothing_while_a_text_contradicts_the_catalogue(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'journey.db'}")
    path = content / "products" / "wattwerk-home.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("etwa 170 €", "etwa 150 €", 1), encoding="utf-8")
    assert main(["--dir", str(content / "products")]) == 1
    shown = capsys.readouterr().err
    assert "NOT loaded" in shown and "saves about 150 € a year" in shown
