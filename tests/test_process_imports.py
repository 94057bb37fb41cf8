"""The web app and the worker stay small: they never load the machine-learning libraries that only the
Rasa process and the action server need (each costs a process tens of MB; issue 13's memory budget)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("sklearn", "scipy", "tensorflow", "rasa", "rasa_sdk")


@pytest.mark.parametrize("module", ["bot.web.app", "bot.sales.worker"])
def test_starting_the_process_loads_no_machine_learning_library(module: str) -> None:
    probe = f"import sys, {module}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert loaded.stdout.split() == []
