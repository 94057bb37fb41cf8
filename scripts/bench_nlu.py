"""Side-by-side benchmark: our config.yml against Rasa's stock config on the same data.

For each config: train the full model from scratch (fresh cache), score intents on the
held-out NLU test set (tests/nlu), start the real Rasa server with our action server and
measure how long it takes to be ready, then send sequential REST messages and measure the
per-message latency (p50/p95). Prints a Markdown table and writes JSON (--out).

    make bench-nlu     (about 30 minutes on 2 cores: the stock config trains DIET and TED)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import settings_from_env  # noqa: E402
from bot.launcher import BIN, action_part, child_env, rasa_part  # noqa: E402

STOCK_CONFIG = Path(__import__("rasa").__file__).parent / "engine" / "recipes" / "config_files" / "default_config.yml"


def run(command: list[str], env: dict[str, str], log: Path) -> float:
    started = time.perf_counter()
    with log.open("w") as fh:
        subprocess.run(command, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, check=True)
    return time.perf_counter() - started


def test_messages() -> list[str]:
    texts = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in block.get("examples", "").splitlines():
                line = line.strip()[2:]
                if line:
                    texts.append(line.replace("[", "").split("](")[0] if "](" in line else line)
    return texts


def post(url: str, body: dict[str, Any]) -> float:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[int(p * (len(ordered) - 1))]


def bench(name: str, config: Path, workdir: Path, messages: list[str], port_base: int) -> dict[str, Any]:
    env = dict(os.environ, RASA_CACHE_DIRECTORY=str(workdir / f"cache-{name}"), PYTHONPATH=str(ROOT))
    env.update(SQLALCHEMY_SILENCE_UBER_WARNING="1", TF_CPP_MIN_LOG_LEVEL="2")
    model = workdir / f"{name}.tar.gz"
    train_s = run(
        [
            str(BIN / "rasa"),
            "train",
            "--config",
            str(config),
            "--domain",
            "domain",
            "--data",
            "data/nlu",
            "data/rules",
            "--out",
            str(workdir),
            "--fixed-model-name",
            name,
        ],
        env,
        workdir / f"train-{name}.log",
    )
    out = workdir / f"nlu-{name}"
    run(
        [
            str(BIN / "rasa"),
            "test",
            "nlu",
            "--model",
            str(model),
            "--domain",
            "domain",
            "--nlu",
            "tests/nlu",
            "--out",
            str(out),
        ],
        env,
        workdir / f"test-{name}.log",
    )
    report = json.loads((out / "intent_report.json").read_text())

    token = uuid.uuid4().hex
    values = {
        "RASA_AUTH_TOKEN": token,
        "RASA_PORT": str(port_base),
        "ACTION_PORT": str(port_base + 1),
        "DATABASE_URL": f"sqlite:///{workdir / f'{name}.db'}",
    }
    settings = settings_from_env(values)
    server_env = child_env(settings) | values | {"RASA_CACHE_DIRECTORY": env["RASA_CACHE_DIRECTORY"]}
    actions, rasa = action_part(settings), rasa_part(settings)
    actions.log, rasa.log = workdir / f"actions-{name}.log", workdir / f"rasa-{name}.log"
    rasa.command[rasa.command.index("--model") + 1] = str(model)
    actions.start(server_env)
    actions.wait_ready(time.monotonic() + 120)
    started = time.perf_counter()
    rasa.start(server_env)
    try:
        rasa.wait_ready(time.monotonic() + 300)
        ready_s = time.perf_counter() - started
        url = f"{settings.rasa_url}/webhooks/rest/webhook"
        for text in messages[:10]:  # warm-up
            post(url, {"sender": "warmup", "message": text})
        latencies = [post(url, {"sender": f"bench-{i % 25}", "message": text}) for i, text in enumerate(messages)]
    finally:
        rasa.stop()
        actions.stop()
    return {
        "config": str(config.relative_to(ROOT) if config.is_relative_to(ROOT) else "rasa default_config.yml"),
        "intent_macro_f1": round(report["macro avg"]["f1-score"], 3),
        "intent_weighted_f1": round(report["weighted avg"]["f1-score"], 3),
        "train_s": round(train_s, 1),
        "ready_s": round(ready_s, 1),
        "messages": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench-nlu.json")
    parser.add_argument("--only", choices=["ours", "stock"], help="run one side only")
    args = parser.parse_args()
    messages = test_messages()
    workdir = Path(tempfile.mkdtemp(prefix="bench-nlu-"))
    print(f"Working in {workdir}; {len(messages)} test messages", flush=True)
    results = {}
    try:
        for name, config, port in (("ours", ROOT / "config.yml", 5305), ("stock", STOCK_CONFIG, 5405)):
            if args.only and args.only != name:
                continue
            print(f"{name}: training and measuring ...", flush=True)
            results[name] = bench(name, config, workdir, messages, port)
            print(json.dumps(results[name]), flush=True)
    finally:
        shutil.rmtree(workdir / "cache-ours", ignore_errors=True)
        shutil.rmtree(workdir / "cache-stock", ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    keys = ["intent_macro_f1", "intent_weighted_f1", "train_s", "ready_s", "p50_ms", "p95_ms"]
    print("\n| config | " + " | ".join(keys) + " |\n|---|" + "---|" * len(keys))
    for name, row in results.items():
        print(f"| {name} ({row['config']}) | " + " | ".join(str(row[k]) for k in keys) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
