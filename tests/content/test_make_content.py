"""`make content` checks the editor files the running bot reads itself (offers, website, journey evidence; the team
file in test_team_schema.py), and loads nothing while one is broken: the mistake is named with file, line and
field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT


@pytest.mark.parametrize(
    ("setting", "shipped", "old", "new", "expected"),
    [
        ("OFFERS_FILE", "data/journey/offers.yml", "[reviews, guarantee]", "[reviews, garantee]",
         "by_persona.skeptic[2]: unknown offer 'garantee'"),
        ("WEBSITE_FILE", "data/website/site.yml", "path: /preise", "path: /inbox/preise",
         "pages.pricing.de.path: /inbox/preise belongs to the web app (/inbox)"),
        ("WEBSITE_FILE", "data/website/site.yml", "    send: \"Send message\"", "",
         "widget.en.send: is missing"),
        ("EVIDENCE_FILE", "data/journey/evidence.yml", "ask_roi: {phase: decision", "ask_roi: {phase: decisoin",
         "intents.ask_roi.phase: unknown value 'decisoin'; use one of: awareness"),
    ],
)  # fmt: skip
def test_make_content_names_a_mistake_in_a_file_the_bot_reads_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    setting: str, shipped: str, old: str, new: str, expected: str,
) -> None:  # fmt: skip
    from bot.catalogue.loader import main

    text = (PROJECT_ROOT / shipped).read_text(encoding="utf-8")
    assert old in text
    edited = tmp_path / Path(shipped).name
    edited.write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'content.db'}")
    monkeypatch.setenv(setting, str(edited))
    assert main([]) == 1
    assert expected in capsys.readouterr().err
