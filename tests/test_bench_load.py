"""The load benchmark's harness (`make bench-load`), as a short smoke run against the test bot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.running_bot import Bot
from tests.test_inbox_security import needs_model

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_load.py"


@needs_model
def test_one_visitor_replays_the_benchmark_conversations_for_five_seconds(bot: Bot, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    # without the lead form: handoffs here would change whom the other tests' leads are assigned to
    only = "de-catalogue,en-catalogue,de-roi,en-roi"
    command = [sys.executable, str(SCRIPT), "--smoke", "--url", bot.settings.rasa_url, "--only", only,
               "--json", str(out)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    (result,) = json.loads(out.read_text())["results"]
    assert result["system"] == "ours" and result["errors"] == 0
    assert result["turns"] >= 5 and result["turns_per_s"] > 0 and result["p50_ms"] <= result["p95_ms"]
    assert "| closed, 1 visitor(s) | ours |" in done.stdout
