"""The knowledge file's schema: the shipped file loads, and every mistake names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalogue.schema import ContentError
from bot.config import PROJECT_ROOT
from bot.content.schemas import parse_knowledge_text, read_knowledge
from bot.conversation.knowledge import KNOWLEDGE_FILE
from bot.journey.language import detect_language

PRODUCTS = ["wattwerk-business", "wattwerk-home", "wattwerk-sense"]

GOOD = """\
version: 1
texts:
  no_match: {de: "Dazu habe ich keine Antwort.", en: "I have no answer to that."}
  no_match_again: {de: "Oder wählen Sie ein Thema:", en: "Or choose a topic:"}
entries:
  - id: home-contract
    product: wattwerk-home
    title: {de: "Laufzeit", en: "Contract term"}
    questions:
      de: ["Wie lange läuft der Vertrag?"]
      en: ["How long is the contract?"]
    answer:
      de: "Keine Mindestlaufzeit."
      en: "No minimum term."
  - id: lorawan
    product: general
    title: {de: "LoRaWAN", en: "LoRaWAN"}
    questions:
      de: ["Geht LoRaWAN?"]
      en: ["Is LoRaWAN supported?"]
    answer:
      de: "Nein, stattdessen Modbus."
      en: "No, Modbus instead."
"""

LONG_ANSWER = " ".join(["Wort"] * 81)


def test_the_shipped_knowledge_file_is_valid_and_covers_every_product() -> None:
    knowledge = read_knowledge(KNOWLEDGE_FILE)
    products = {entry.product for entry in knowledge.entries}
    assert products == {*PRODUCTS, "general"}


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_shipped_answer_is_short_and_reads_as_its_language(language: str) -> None:
    for entry in read_knowledge(KNOWLEDGE_FILE).entries:
        answer = entry.answer.get(language)
        assert len(answer.split()) <= 60, entry.id
        assert detect_language(answer, None) == language, (entry.id, answer)


def test_a_good_file_loads() -> None:
    knowledge = parse_knowledge_text(GOOD, "knowledge.yml", PRODUCTS)
    assert [e.id for e in knowledge.entries] == ["home-contract", "lorawan"]
    assert knowledge.entries[1].answer.get("en") == "No, Modbus instead."


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        ('      en: "No minimum term."\n', "", 13, "entries[1].answer.en", "is missing (needs de: and en:)"),
        ('      en: "No minimum term."', f'      en: "{LONG_ANSWER}"', 14, "entries[1].answer.en", "has 81 words"),
        ("    product: general", "    product: heat", 16, "entries[2].product", "unknown product 'heat'"),
        ("  - id: lorawan", "  - id: home-contract", 15, "entries[2].id", "is already used on line 6"),
        ("      de: [\"Geht LoRaWAN?\"]", "      de: []", 19, "entries[2].questions.de", "needs at least one item"),
        ("  - id: lorawan", "  - id: LoRaWAN", 15, "entries[2].id", "lower-case"),
        ('    title: {de: "LoRaWAN", en: "LoRaWAN"}', "    titel: {de: x}", 17, "entries[2].titel", "not a known"),
    ],
)
def test_a_mistake_names_file_line_and_field(old: str, new: str, line: int, field: str, message: str) -> None:
    assert old in GOOD
    with pytest.raises(ContentError) as raised:
        parse_knowledge_text(GOOD.replace(old, new), "data/content/knowledge.yml", PRODUCTS)
    problems = [(p.file, p.line, p.field) for p in raised.value.problems]
    assert ("data/content/knowledge.yml", line, field) in problems, raised.value
    assert any(message in p.message for p in raised.value.problems), raised.value
    assert f"data/content/knowledge.yml, line {line}, {field}" in str(raised.value)


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(ContentError) as raised:
        parse_knowledge_text(GOOD.replace("  - id: lorawan", "  - id: [lorawan"), "k.yml", PRODUCTS)
    (problem,) = raised.value.problems
    assert problem.field == "(file)" and "not valid YAML" in problem.message and problem.line == 16


def test_make_content_checks_the_knowledge_file_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.catalogue.loader import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'content.db'}")
    content = tmp_path / "content"
    (content / "products").mkdir(parents=True)
    for product in (PROJECT_ROOT / "data" / "content" / "products").glob("*.yml"):
        (content / "products" / product.name).write_bytes(product.read_bytes())
    (content / "knowledge.yml").write_text(GOOD.replace("    product: general", "    product: heat"), encoding="utf-8")
    assert main(["--dir", str(content / "products")]) == 1
    assert "knowledge.yml, line 16, entries[2].product: unknown product 'heat'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("concepts", "field", "message"),
    [("concepts:\n  Cancel: [kündig, cancel]\n", "concepts", "lower-case"),
     ("concepts:\n  cancel: []\n", "concepts.cancel", "needs at least one item")],
)  # fmt: skip
def test_a_broken_concept_names_its_field(concepts: str, field: str, message: str) -> None:
    with pytest.raises(ContentError) as raised:
        parse_knowledge_text(GOOD.replace("entries:\n", concepts + "entries:\n"), "k.yml", PRODUCTS)
    assert any(p.field == field and message in p.message for p in raised.value.problems), raised.value
