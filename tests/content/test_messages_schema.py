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


SHIPPED = (PROJECT_ROOT / "data" / "content" / "messages.yml").read_text(encoding="utf-8")
#: a brace left open in the shipped file's German price text
BROKEN = SHIPPED.replace("Das kostet {product_name}:", "Das kostet {product_name:", 1)


def problems_of(tmp_path: Path, text: str) -> list[str]:
    """The schema's problems with a file (without the check of which messages the bot shows, see below)."""
    from bot.content.schemas import read_messages

    path = tmp_path / "messages.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        read_messages(path)
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
        ("version: 1", "version: 2", "line 1, version: unknown value 2; use one of: 1"),
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
    (content / "messages.yml").write_text(BROKEN, encoding="utf-8")
    assert main(["--dir", str(content / "products")]) == 1
    assert "messages.prices.de: broken placeholder" in capsys.readouterr().err
    (content / "messages.yml").write_text(SHIPPED, encoding="utf-8")
    assert main(["--dir", str(content / "products")]) == 0


def test_a_running_bot_keeps_the_last_good_texts_when_a_bad_edit_lands(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "messages.yml"
    path.write_text(SHIPPED, encoding="utf-8")
    messages = ReloadingFile(path, load_messages)
    assert messages.get().render("prices", "en", product_name="Home", plans="5 €").startswith("This is what Home")
    path.write_text(BROKEN, encoding="utf-8")
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    with caplog.at_level(logging.ERROR, logger="bot.reloading"):
        assert messages.get().render("prices", "de", product_name="Home", plans="5 €").startswith("Das kostet Home")
    assert any("messages.prices.de: broken placeholder" in r.getMessage() for r in caplog.records)


def test_a_placeholder_the_bot_does_not_fill_is_named_with_what_it_fills(tmp_path: Path) -> None:
    from bot.content.schemas import read_messages
    from bot.messages import FILLED

    changed = SHIPPED.replace("Das kostet {product_name}:", "Das kostet {product_name} ab {price}:", 1)
    changed = changed.replace("This is what {product_name} costs:", "{product_name} costs from {price}:", 1)
    changed = changed.replace("  choose_product:", "  choose_produkt:", 1)
    path = tmp_path / "messages.yml"
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        read_messages(path, filled=FILLED)
    problems = [f"{p.field}: {p.message}" for p in caught.value.problems]
    assert "messages.prices.de: the bot does not fill {price} in this message; it fills: {plans}, {product_name}" in (
        problems)  # fmt: skip
    assert "messages.choose_product: is missing (the bot shows it)" in problems
    assert "messages.choose_produkt: is not a message the bot shows (check the name)" in problems


# Calls that show a message whose name or values are computed; each is read by hand into FILLED. A new one fails
# this test until it is added here (and its message's values to FILLED).
COMPUTED = {
    "actions/base.py": {"message", "self.message"},
    "actions/aftersale.py": {"message"},
    "actions/experience.py": {"'voucher_expired' if voucher.valid_until < today else 'voucher_not_yet'"},
    "actions/leads.py": {"self.message", "'support_confirm_soon' if support else 'lead_confirm_soon'",
                         "'support_confirm_later' if support else 'lead_confirm_later'",
                         "'support_no_consent' if kind == 'support' else 'lead_no_consent'",
                         "'support_already' if kind == 'support' else 'lead_already'"},
    "actions/roi.py": {"str(invalid)", "message"},
    "bot/conversation/pricing.py": {"'price_years' if years > 1 else 'price_first_year'"},
    "bot/conversation/answers.py": {"f'situation_reason_{key}'", "key", "key_count", "f'situation_scope_{key}'",
                                    "f\"situation_scope_{_KEYS.get(product.id, 'business')}\"",
                                    "f'situation_next_{persona}'", "f'known_{key}'"},
    "bot/web/blueprints/meetings.py": {"f'meeting_page_{key}'", "notice"},  # keys without values
}  # fmt: skip


def message_calls() -> tuple[dict[str, list[set[str | None]]], dict[str, set[str]]]:
    """What the code passes where it shows a message by name (`render(name, language, …)` or
    `self.say(dispatcher, tracker, name, …)`), and the computed names per file. None stands for `**values`."""
    import ast

    literal: dict[str, list[set[str | None]]] = {}
    computed: dict[str, set[str]] = {}
    for path in sorted([*(PROJECT_ROOT / "actions").rglob("*.py"), *(PROJECT_ROOT / "bot").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr == "render" and node.args:
                name = node.args[0]
            elif node.func.attr == "say" and len(node.args) >= 3:
                name = node.args[2]
            else:
                continue
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                literal.setdefault(name.value, []).append({k.arg for k in node.keywords})
            else:
                computed.setdefault(str(path.relative_to(PROJECT_ROOT)), set()).add(ast.unparse(name))
    return literal, computed


def test_what_filled_promises_is_what_the_code_passes() -> None:
    from bot.messages import FILLED

    literal, computed = message_calls()
    for name, calls in literal.items():
        assert name in FILLED, f"the code shows {name}, which FILLED does not know"
        for passed in calls:
            if None not in passed:  # explicit values: every promised one is passed
                assert set(FILLED[name]) <= passed, f"{name}: FILLED promises {FILLED[name]}, the code passes {passed}"
    assert computed == COMPUTED
