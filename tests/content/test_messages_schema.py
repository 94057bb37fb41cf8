"""The chat texts' schema (data/content/messages.yml): the shipped file loads, every mistake an editor can make names
file, line and field, `make content` refuses a broken file, and a running bot keeps the last good version."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot.catalogue.schema import ContentError
from bot.config import PROJECT_ROOT
from bot.messages import load_messages
from bot.reloading import ReloadingFile

GOOD = """\
version: 1
messages:
  prices:
    de: "Das kostet {product_name}:\\n{plans}"
    en: "This is what {product_name} costs:\\n{plans}"
  choose_product:
    de: "Um welches Produkt geht es Ihnen?"
    en: "Which product are you interested in?"
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "messages.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_messages(path)
    return [f"line {p.line}, {p.field}: {p.message}" for p in caught.value.problems]


def test_the_shipped_messages_load_and_render() -> None:
    messages = load_messages(PROJECT_ROOT / "data" / "content" / "messages.yml")
    assert "Wattwerk Home" in messages.render("prices", "de", product_name="Wattwerk Home", plans="…")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # a brace left open: the bot failed on this message at the moment a visitor asked
        ("Das kostet {product_name}:", "Das kostet {product_name:", "line 4, messages.prices.de: broken placeholder"),
        ("{plans}\"\n  choose", "{}\"\n  choose", "line 5, messages.prices.en: broken placeholder: {} is no"),
        ("costs:\\n{plans}", "costs:\\n{plan}",
         "line 4, messages.prices: German and English must use the same placeholders (de: plans, product_name; "
         "en: plan, product_name)"),
        ('    en: "Which product are you interested in?"\n', "", "line 7, messages.choose_product.en: is missing"),
        ('en: "Which product are you interested in?"', 'en: ""', "line 8, messages.choose_product.en: is empty"),
        ("  prices:\n", "  prices:\n    fr: \"Ça coûte\"\n", "line 4, messages.prices.fr: is not a known field"),
        ("version: 1", "version: 2", "line 1, version: unexpected value"),
    ],
)  # fmt: skip
def test_every_mistake_names_line_and_field(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    problems = problems_of(tmp_path, GOOD.replace(old, new, 1))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_make_content_refuses_broken_chat_texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from bot.catalogue.loader import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'content.db'}")
    content = tmp_path / "content"
    (content / "products").mkdir(parents=True)
    for product in (PROJECT_ROOT / "data" / "content" / "products").glob("*.yml"):
        (content / "products" / product.name).write_bytes(product.read_bytes())
    (content / "messages.yml").write_text(GOOD.replace("{product_name}:", "{product_name:", 1), encoding="utf-8")
    assert main(["--dir", str(content / "products")]) == 1
    assert "messages.yml, line 4, messages.prices.de: broken placeholder" in capsys.readouterr().err
    (content / "messages.yml").write_text(GOOD, encoding="utf-8")
    assert main(["--dir", str(content / "products")]) == 0


def test_a_running_bot_keeps_the_last_good_texts_when_a_bad_edit_lands(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "messages.yml"
    path.write_text(GOOD, encoding="utf-8")
    messages = ReloadingFile(path, load_messages)
    assert messages.get().render("prices", "en", product_name="Home", plans="5 €").startswith("This is what Home")
    path.write_text(GOOD.replace("{product_name}:", "{product_name:", 1), encoding="utf-8")
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    with caplog.at_level(logging.ERROR, logger="bot.reloading"):
        assert messages.get().render("prices", "de", product_name="Home", plans="5 €").startswith("Das kostet Home")
    assert any("line 4, messages.prices.de" in r.getMessage() for r in caplog.records)
