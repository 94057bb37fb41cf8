"""`make content`: editor mistakes are reported precisely and change nothing; good edits show at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from bot.catalogue.loader import CONTENT_DIR, load_catalogue
from bot.catalogue.models import ProductRow, ReviewRow
from bot.catalogue.schema import ContentError, ReviewPlatform
from bot.catalogue.service import LocalCatalogue
from bot.db import create_tables, make_engine, make_session_factory


@pytest.fixture()
def session_factory() -> sessionmaker:
    engine = make_engine("sqlite://")  # in-memory, one per test
    create_tables(engine)
    return make_session_factory(engine)


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    directory = tmp_path / "products"
    shutil.copytree(CONTENT_DIR, directory)
    return directory


def counts(session_factory: sessionmaker) -> tuple[int, int]:
    with session_factory() as session:
        products = session.execute(select(func.count()).select_from(ProductRow)).scalar_one()
        reviews = session.execute(select(func.count()).select_from(ReviewRow)).scalar_one()
    return products, reviews


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_catalogue_loads_once_and_a_second_load_changes_nothing(session_factory, content) -> None:
    first = load_catalogue(session_factory, content)
    assert first.changed and (first.products, first.reviews) == (3, 30)
    second = load_catalogue(session_factory, content)
    assert not second.changed and second.content_hash == first.content_hash
    assert counts(session_factory) == (3, 30)


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("rating: 5", "rating: 7", "reviews[", "rating: must be from 1 to 5 stars, got 7"),
        ("rating: 5", "rating: five", "reviews[", "rating: must be a whole number, got 'five'"),
        ("price_eur: 49", "price_eur: [49]", "plans[1].price_eur", "must be a number"),
        ("segment: b2b", "segment: business", "segment", "unknown value 'business'; use one of: b2b, b2c"),
        ("video_url: ", "video: ", "video_url", "is missing"),
        # a typo in a plan's field name does not silently vanish (the plan's one-off would not be per unit)
        ("    one_off_eur: 0\n", "    one_off_eur: 0\n    one_of_per_unit: true\n", "plans[1].one_of_per_unit",
         "is not a known field"),
        ("source: Capterra", "source: ''", "reviews[", "source: is empty"),
        ("url: https://www.g2.com/", "url: www.g2.com/", "review_platforms[2].url", "must be a web address"),
        ("  - name: G2\n", "  - name: Capterra\n", "review_platforms[2].name", "'Capterra' is used twice"),
    ],
)  # fmt: skip
def test_a_mistake_is_reported_with_file_line_and_field_and_nothing_is_loaded(
    session_factory, content, old: str, new: str, field: str, message: str
) -> None:
    load_catalogue(session_factory, content)
    path = content / "wattwerk-business.yml"
    edit(path, old, new)
    with pytest.raises(ContentError) as error:
        load_catalogue(session_factory, content)
    text = str(error.value)
    assert "wattwerk-business.yml, line " in text and field in text and message in text, text
    assert counts(session_factory) == (3, 30)  # the previous catalogue is untouched


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("discount: {percent: 120}", "vouchers[1].discount.percent: must be above 0 and at most 100, got 120"),
        ("discount: {eur: -5}", "vouchers[1].discount.eur: must be above 0, got -5"),
        ("discount: {percent: 10, eur: 5}", "vouchers[1].discount: needs exactly one of percent or eur"),
        ("discount: {prozent: 10}", "vouchers[1].discount.prozent: is not a known field (check the spelling)"),
        ("discount: {}", "vouchers[1].discount: needs exactly one of percent or eur"),
    ],
)
def test_a_voucher_discount_the_bot_cannot_work_out_is_reported(session_factory, content, new: str,
                                                                 message: str) -> None:  # fmt: skip
    path = content / "wattwerk-home.yml"
    edit(path, "discount: {percent: 10}", new)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if new in text)
    with pytest.raises(ContentError) as error:
        load_catalogue(session_factory, content)
    assert f"wattwerk-home.yml, line {line}, " + message in str(error.value), str(error.value)


PLATFORMS = {
    "wattwerk-home": [("Trustpilot", "https://www.trustpilot.com/evaluate/wattwerk.example"),
                      ("Google", "https://g.page/r/wattwerk-home-example/review")],
    "wattwerk-business": [("Capterra", "https://reviews.capterra.com/products/new/wattwerk-business-example"),
                          ("G2", "https://www.g2.com/products/wattwerk-business-example/take_survey"),
                          ("OMR Reviews", "https://omr.com/de/reviews/product/wattwerk-business-example/new")],
    "wattwerk-sense": [("Capterra", "https://reviews.capterra.com/products/new/wattwerk-sense-example"),
                       ("G2", "https://www.g2.com/products/wattwerk-sense-example/take_survey"),
                       ("OMR Reviews", "https://omr.com/de/reviews/product/wattwerk-sense-example/new")],
}  # fmt: skip


def test_the_shipped_review_platforms_are_stored_and_read_back(session_factory, content) -> None:
    load_catalogue(session_factory, content)
    products = {p.id: p for p in LocalCatalogue(session_factory).products()}
    assert {pid: [(r.name, r.url) for r in p.review_platforms] for pid, p in products.items()} == PLATFORMS
    trustpilot = ReviewPlatform("Trustpilot", "https://www.trustpilot.com/evaluate/wattwerk.example")
    assert products["wattwerk-home"].review_platforms[0] == trustpilot
    # where the review invitation sends a customer matches where the product's reviews come from
    for product in products.values():
        assert {r.name for r in product.review_platforms} <= {r.source for r in product.reviews}, product.id


def test_a_product_without_review_platforms_has_none(session_factory, content) -> None:
    path = content / "wattwerk-sense.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line == "review_platforms:")
    stop = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    path.write_text("\n".join(lines[:start] + lines[stop:]) + "\n", encoding="utf-8")
    load_catalogue(session_factory, content)
    with session_factory() as session:
        stored = dict(session.execute(select(ProductRow.id, ProductRow.review_platforms)).all())
    assert stored["wattwerk-sense"] == [] and len(stored["wattwerk-home"]) == 2
    with session_factory() as session, session.begin():  # a row stored before the column existed (migration 0008)
        session.execute(update(ProductRow).where(ProductRow.id == "wattwerk-home").values(review_platforms=None))
    products = {p.id: p for p in LocalCatalogue(session_factory).products()}
    assert products["wattwerk-sense"].review_platforms == () and products["wattwerk-home"].review_platforms == ()
    assert len(products["wattwerk-business"].review_platforms) == 3


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    url: https://www.g2.com/", "    url: www.g2.com/",
         "review_platforms[2].url: must be a web address starting with https://, got 'www.g2.com/"),
        ("    url: https://www.g2.com/", "    url: ftp://www.g2.com/", "review_platforms[2].url: must be a web"),
        ("  - name: G2", "  - name: Capterra", "review_platforms[2].name: 'Capterra' is used twice"),
        ("  - name: OMR Reviews", "  - name: g2", "review_platforms[3].name: 'g2' is used twice"),
        ("  - name: G2", "  - name: ' '", "review_platforms[2].name: is empty"),
        ("    url: https://www.g2.com/", "    link: https://www.g2.com/",
         "review_platforms[2].link: is not a known field (check the spelling)"),
    ],
)  # fmt: skip
def test_a_broken_review_platform_is_reported_with_its_line(session_factory, content, old: str, new: str,
                                                            message: str) -> None:  # fmt: skip
    load_catalogue(session_factory, content)
    path = content / "wattwerk-business.yml"
    edit(path, old, new)
    lines = path.read_text(encoding="utf-8").splitlines()
    line = max(i for i, text in enumerate(lines, 1) if text.startswith(new))  # the second one of a duplicate
    with pytest.raises(ContentError) as error:
        load_catalogue(session_factory, content)
    assert f"products/wattwerk-business.yml, line {line}, " + message in str(error.value), str(error.value)
    assert counts(session_factory) == (3, 30)  # the previous catalogue is untouched


def test_the_line_number_points_at_the_broken_value(session_factory, content) -> None:
    path = content / "wattwerk-home.yml"
    edit(path, "rating: 4", "rating: 7")
    with pytest.raises(ContentError) as error:
        load_catalogue(session_factory, content)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "rating: 7" in text)
    assert f"wattwerk-home.yml, line {line}, reviews[" in str(error.value)


def test_broken_yaml_is_reported_and_nothing_is_loaded(session_factory, content) -> None:
    edit(content / "wattwerk-sense.yml", "name: Wattwerk Sense", "name: [Wattwerk Sense")
    with pytest.raises(ContentError, match=r"products/wattwerk-sense.yml, line \d+, \(file\): not valid YAML"):
        load_catalogue(session_factory, content)
    assert counts(session_factory) == (0, 0)


def test_a_duplicate_review_id_is_reported(session_factory, content) -> None:
    edit(content / "wattwerk-sense.yml", "id: sense-r01", "id: home-r01")
    with pytest.raises(ContentError, match="review id 'home-r01' is also used in products/wattwerk-"):
        load_catalogue(session_factory, content)


def test_a_missing_required_field_is_named(session_factory, content) -> None:
    edit(content / "wattwerk-home.yml", "\nhosting:", "\nhosted:")
    with pytest.raises(ContentError) as error:
        load_catalogue(session_factory, content)
    assert "wattwerk-home.yml, line 1, hosting: is missing" in str(error.value)
    assert "hosted: is not a known field" in str(error.value)


def test_a_critical_review_needs_the_companys_answer(session_factory, content) -> None:
    path = content / "wattwerk-home.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() in ("rating: 2", "rating: 3"))
    end = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("response:"))
    stop = next((i for i in range(end + 1, len(lines)) if not lines[i].startswith("      ")), len(lines))
    path.write_text("\n".join(lines[:end] + lines[stop:]) + "\n", encoding="utf-8")
    with pytest.raises(ContentError, match="response: is required for reviews with 1 to 3 stars"):
        load_catalogue(session_factory, content)


def test_an_edited_review_and_price_show_without_a_restart(session_factory, content) -> None:
    clock = [0.0]
    catalogue = LocalCatalogue(session_factory, clock=lambda: clock[0])
    load_catalogue(session_factory, content)
    business = next(p for p in catalogue.products() if p.id == "wattwerk-business")
    assert business.plans[0].price_eur == 49
    edit(content / "wattwerk-business.yml", "price_eur: 49", "price_eur: 59")
    # the plan's text says its price too: `make content` refuses a price its texts contradict (test_claims.py)
    edit(content / "wattwerk-business.yml", "für 49 € im Monat", "für 59 € im Monat")
    edit(content / "wattwerk-business.yml", "for €49 a month", "for €59 a month")
    review = business.reviews[0]
    edit(content / "wattwerk-business.yml", review.text[:30], "Geändert: " + review.text[:20])
    assert load_catalogue(session_factory, content).changed
    clock[0] += 0.5
    business = next(p for p in catalogue.products() if p.id == "wattwerk-business")
    assert business.plans[0].price_eur == 49, "within a second the loaded version is served without asking the DB"
    clock[0] += 0.6
    business = next(p for p in catalogue.products() if p.id == "wattwerk-business")
    assert business.plans[0].price_eur == 59
    assert any(r.text.startswith("Geändert: ") for r in business.reviews)
