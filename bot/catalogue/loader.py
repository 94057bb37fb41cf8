"""`make content`: check the catalogue files (and the sales team, offers, website and journey evidence files, which
the running bot reads itself) and load the catalogue into the database in one transaction."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.catalogue.claims import contradictions, editor_texts
from bot.catalogue.models import CatalogueVersionRow, PlanRow, ProductRow, ReviewRow, VoucherRow
from bot.catalogue.schema import LANGS, ContentError, ContentProblem, Product, read_catalogue
from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.content.schemas import (
    read_evidence,
    read_knowledge,
    read_messages,
    read_offers,
    read_responses,
    read_site,
    read_team,
)
from bot.content.schemas.questions import Known, read_questions
from bot.db import create_tables, make_engine, make_session_factory
from bot.messages import FILLED
from bot.responses import said_twice

CONTENT_DIR = PROJECT_ROOT / "data" / "content" / "products"


@dataclass(frozen=True)
class LoadResult:
    changed: bool
    products: int
    reviews: int
    content_hash: str


def content_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.y*ml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _rows(product: Product, position: int) -> ProductRow:
    row = ProductRow(
        id=product.id, position=position, name=product.name, segment=product.segment,
        synonyms=list(product.synonyms), short_de=product.short.de, short_en=product.short.en,
        description_de=product.description.de, description_en=product.description.en,
        features=[{"de": f.de, "en": f.en} for f in product.features],
        specs=[{"label": {"de": s.label.de, "en": s.label.en}, "value": {"de": s.value.de, "en": s.value.en}}
               for s in product.specs],
        integrations=list(product.integrations), hosting_de=product.hosting.de, hosting_en=product.hosting.en,
        docs_url=product.docs_url, video_url=product.video_url,
        roi=None if product.roi is None else {
            "unit": {"de": product.roi.unit.de, "en": product.roi.unit.en},
            "units": {"de": product.roi.units.de, "en": product.roi.units.en},
            "savings_rate": str(product.roi.savings_rate),
            "typical_energy_cost_eur": str(product.roi.typical_energy_cost_eur),
            "typical_results": None if product.roi.typical_results is None else {
                "de": product.roi.typical_results.de, "en": product.roi.typical_results.en},
        },
        review_platforms=[{"name": p.name, "url": p.url} for p in product.review_platforms],
    )  # fmt: skip
    row.plans = [
        PlanRow(id=p.id, position=i, name_de=p.name.de, name_en=p.name.en, price_eur=p.price_eur,
                per_unit=p.per_unit, min_units=p.min_units, max_units=p.max_units, one_off_eur=p.one_off_eur,
                one_off_per_unit=p.one_off_per_unit,
                description_de=p.description.de, description_en=p.description.en)
        for i, p in enumerate(product.plans)
    ]  # fmt: skip
    row.vouchers = [
        VoucherRow(code=v.code, value_de=v.value.de, value_en=v.value.en, valid_from=v.valid_from,
                   valid_until=v.valid_until, discount_percent=v.discount_percent, discount_eur=v.discount_eur)
        for v in product.vouchers
    ]  # fmt: skip
    row.reviews = [
        ReviewRow(id=r.id, rating=r.rating, language=r.language, text=r.text, author=r.author,
                  company_size=r.company_size, date=r.date, source=r.source,
                  response_de=r.response.de if r.response else None, response_en=r.response.en if r.response else None)
        for r in product.reviews
    ]  # fmt: skip
    return row


def loaded_hash(session: Session) -> str | None:
    return session.execute(
        select(CatalogueVersionRow.content_hash).order_by(CatalogueVersionRow.id.desc()).limit(1)
    ).scalar_one_or_none()


def check_content(directory: Path = CONTENT_DIR) -> list[Product]:
    """Checks every content file (products, and the knowledge entries, chat texts and answers next to them) and that
    their texts do not contradict the products' fields (bot/catalogue/claims.py); raises one ContentError listing
    all problems, or returns the products."""
    problems: list[ContentProblem] = []
    products: list[Product] = []
    try:
        products = read_catalogue(directory, directory.parent)
    except ContentError as error:
        problems += error.problems
    knowledge = directory.parent / "knowledge.yml"
    if knowledge.exists():
        try:
            read_knowledge(knowledge, directory, display=str(knowledge.relative_to(directory.parent)))
        except ContentError as error:
            problems += error.problems
    messages = directory.parent / "messages.yml"
    if messages.exists():
        try:
            read_messages(messages, display=str(messages.relative_to(directory.parent)), filled=FILLED)
        except ContentError as error:
            problems += error.problems
    if not problems:  # every file readable: what the texts claim must agree with the fields they describe
        root = directory.parent
        texts = editor_texts(root, [root / "responses.yml"], shown=lambda path: str(path.relative_to(root)))
        problems += contradictions(texts, products)
    if problems:
        raise ContentError(problems)
    return products


def load_catalogue(session_factory: sessionmaker, directory: Path = CONTENT_DIR) -> LoadResult:
    """Check every file, then replace the catalogue in one transaction; unchanged files change nothing.

    Raises ContentError (listing file, line and field of every problem) before touching the database.
    """
    products = check_content(directory)
    digest = content_hash(directory)
    reviews = sum(len(p.reviews) for p in products)
    with session_factory() as session, session.begin():
        if loaded_hash(session) == digest:
            return LoadResult(False, len(products), reviews, digest)
        for table in (ReviewRow, VoucherRow, PlanRow, ProductRow):
            session.execute(delete(table))
        session.add_all(_rows(product, i) for i, product in enumerate(products))
        session.add(CatalogueVersionRow(content_hash=digest, loaded_at=dt.datetime.now(dt.timezone.utc),
                                        products=len(products), reviews=reviews))  # fmt: skip
    return LoadResult(True, len(products), reviews, digest)


def _shown(path: Path) -> str:
    """A path as editors read it: relative to the project when inside it."""
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def check_live_files(settings: Settings) -> list[ContentProblem]:
    """The editor files a running bot reads live (and keeps the last good version of): the team, offers, site,
    evidence, answers and questions, each checked, and against each other where one names what another has."""
    problems: list[ContentProblem] = []
    live = ((read_team, settings.team_file), (read_offers, settings.offers_file), (read_site, settings.website_file),
            (read_evidence, settings.evidence_file))  # fmt: skip
    found: dict[Any, Any] = {}
    for read, path in live:
        try:
            found[read] = read(path, display=_shown(path))
        except ContentError as error:
            problems += error.problems
    offers = list(found[read_offers].offers) if read_offers in found else None
    responses = None
    try:  # the offers' questions are answers: one variation of utter_offer per offer (unchecked if offers are broken)
        responses = read_responses(settings.responses_file, display=_shown(settings.responses_file), offers=offers)
    except ContentError as error:
        problems += error.problems
    known = Known(
        other_intents=frozenset(found[read_evidence].intents) if read_evidence in found else frozenset(),
        actions=domain_actions(PROJECT_ROOT / "domain"),
        responses=frozenset(responses.responses) if responses is not None else None,
        examples={language: intents_with_examples(settings.nlu_dir / language) for language in LANGS},
    )
    try:
        asked = read_questions(settings.questions_file, display=_shown(settings.questions_file), known=known)
        if responses is not None:
            problems += said_twice(responses, asked, _shown(settings.questions_file), settings.responses_file.name)
    except ContentError as error:
        problems += error.problems
    return problems


def domain_actions(directory: Path) -> frozenset[str]:
    """The custom actions and forms the domain files declare."""
    names: set[str] = set()
    for path in sorted(directory.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names.update(str(a) if not isinstance(a, dict) else str(next(iter(a))) for a in document.get("actions") or [])
        names.update(document.get("forms") or {})
    return frozenset(names)


def intents_with_examples(directory: Path) -> frozenset[str]:
    """The intents that have training examples in the NLU files under `directory`."""
    intents: set[str] = set()
    for path in sorted(directory.rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intents.update(str(item["intent"]) for item in document.get("nlu") or [] if "intent" in item)
    return frozenset(intents)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.catalogue.loader", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=CONTENT_DIR)
    args = parser.parse_args(argv)
    settings = load_settings()
    engine = make_engine(settings.database_url)
    create_tables(engine)
    problems = check_live_files(settings)
    try:  # with a live file broken, the catalogue is only checked (its problems listed too); else checked by loading
        if problems:
            check_content(args.dir)
        else:
            result = load_catalogue(make_session_factory(engine), args.dir)
    except ContentError as error:
        problems += error.problems
    if problems:
        print(f"The catalogue was NOT loaded ({len(problems)} problem(s)); nothing changed:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    if result.changed:
        version = result.content_hash[:8]
        print(f"Catalogue loaded: {result.products} products, {result.reviews} reviews (version {version}).")
    else:
        print(f"Catalogue unchanged: {result.products} products, {result.reviews} reviews already loaded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
