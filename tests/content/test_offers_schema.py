"""The offers file's schema (data/journey/offers.yml) in `make content`; the field-by-field mistakes are in
tests/test_settings_and_files.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT


def test_make_content_checks_the_offers_file_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from bot.catalogue.loader import main

    offers = tmp_path / "offers.yml"
    shipped = (PROJECT_ROOT / "data" / "journey" / "offers.yml").read_text(encoding="utf-8")
    offers.write_text(shipped.replace("[reviews, guarantee]", "[reviews, garantee]", 1), encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'content.db'}")
    monkeypatch.setenv("OFFERS_FILE", str(offers))
    assert main([]) == 1
    assert "by_persona.skeptic[2]: unknown offer 'garantee'" in capsys.readouterr().err
