"""The action server reads every editor file and model when it starts (bot/services.py `warm_up`), so the
first visitor does not wait; a broken file is reported and does not keep it from starting."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from bot.conversation.knowledge import load_index
from bot.reloading import ReloadingFile
from bot.services import Services, warm_up


def test_warm_up_builds_the_knowledge_index_and_reads_the_files(catalogue_services: Services) -> None:
    assert warm_up(catalogue_services) == []
    index = catalogue_services.knowledge.get()
    assert catalogue_services.knowledge.get() is index, "built once, at start"


def test_a_broken_file_is_reported_once_and_the_rest_is_read(
    catalogue_services: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "knowledge.yml"
    broken.write_text("entries: [this is: not: valid\n", encoding="utf-8")
    services = dataclasses.replace(catalogue_services, knowledge=ReloadingFile(broken, load_index))

    with caplog.at_level(logging.WARNING, logger="bot.services"):
        failed = warm_up(services)

    assert failed == ["knowledge"]
    warnings = [r.getMessage() for r in caplog.records if "Warm-up" in r.getMessage()]
    assert len(warnings) == 1 and "knowledge" in warnings[0]
    assert services.messages.get() is not None
