"""Load benchmark: our bot against a stock `rasa init` bot, side by side in one run (`make bench-load`).

Both are started on free ports: ours as `make run` starts it (action server, web app, worker, Rasa
on a fresh SQLite file under var/bench/), the stock bot from `rasa init --no-prompt` with the same
Rasa (trained once, cached under var/bench/stock/, in-memory tracker, no action server: its best
case). Virtual visitors replay the conversations in scripts/bench_load_conversations.yml over the
REST channel, each conversation under a fresh sender id:

- closed loop: N visitors without think time, for each N in --visitors;
- open loop: --open-visitors visitors with 5-15 s think time;
- cost growth: one visitor, a 40-turn conversation, turns 1-5 against turns 20-40.

Reported per system: turns/s, p50/p95/p99 latency, errors (an HTTP error or a reply without
text), the RSS of every process, and ours/stock ratios; as Markdown on stdout and JSON in
results/bench-load.json. `--smoke` runs only the harness (one visitor, 5 s, against --url).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

CONVERSATIONS = PROJECT_ROOT / "scripts" / "bench_load_conversations.yml"
BENCH_DIR = PROJECT_ROOT / "var" / "bench"
TIMEOUT_S = 30.0


@dataclass
class Sample:
    latency_s: float
    turn: int  # index of the turn in its conversation, from 1
    ok: bool


@dataclass
class Result:
    system: str
    load: str
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    rss_mb: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        latencies = sorted(s.latency_s * 1000 for s in self.samples)

        def pct(q: float) -> float | None:
            return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1) if latencies else None

        return {
            "system": self.system, "load": self.load, "turns": len(self.samples),
            "turns_per_s": round(len(self.samples) / self.seconds, 2) if self.seconds else None,
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "errors": sum(not s.ok for s in self.samples), "rss_mb": self.rss_mb,
            "rss_total_mb": round(sum(self.rss_mb.values()), 1),
        }  # fmt: skip


def say(url: str, sender: str, text: str) -> bool:
    """One turn over the REST channel; True when the reply has text."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            replies = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return any(isinstance(r, dict) and str(r.get("text") or "").strip() for r in replies or [])


def visitor(url: str, conversations: Sequence[Sequence[str]], start: int, until: float, think: Callable[[], float],
            samples: list[Sample], lock: threading.Lock) -> None:  # fmt: skip
    """Replays the conversations in turn (from `start`), each under a fresh sender id, until `until`.
    With think time, the visitor first waits one think time too, so that visitors do not all arrive at once."""
    index = start
    first = think()
    if first:
        time.sleep(first)
    while time.monotonic() < until:
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for turn, text in enumerate(conversations[index % len(conversations)], start=1):
            if time.monotonic() >= until:
                return
            started = time.perf_counter()
            ok = say(url, sender, text)
            sample = Sample(time.perf_counter() - started, turn, ok)
            with lock:
                samples.append(sample)
            pause = think()
            if pause:
                time.sleep(pause)
        index += 1


def run_load(url: str, conversations: Sequence[Sequence[str]], visitors: int, seconds: float,
             think: Callable[[], float] = lambda: 0.0) -> tuple[list[Sample], float]:  # fmt: skip
    samples: list[Sample] = []
    lock = threading.Lock()
    started = time.monotonic()
    until = started + seconds
    threads = [threading.Thread(target=visitor, args=(url, conversations, i, until, think, samples, lock), daemon=True)
               for i in range(visitors)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + TIMEOUT_S + 5)
    return samples, time.monotonic() - started


def long_conversation(url: str, questions: Sequence[str], turns: int, repeats: int) -> list[Sample]:
    samples: list[Sample] = []
    for _ in range(repeats):
        sender = f"bench-long-{uuid.uuid4().hex[:12]}"
        for turn in range(1, turns + 1):
            started = time.perf_counter()
            ok = say(url, sender, questions[(turn - 1) % len(questions)])
            samples.append(Sample(time.perf_counter() - started, turn, ok))
    return samples


def p95(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1) if ordered else None


# ---------------------------------------------------------------------------------------------- processes


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    total_kb, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        todo.extend(children.get(current, []))
    return round(total_kb / 1024, 1)


@dataclass
class System:
    name: str
    url: str
    processes: dict[str, int]  # part name -> pid
    stop: Callable[[], None]

    def rss(self) -> dict[str, float]:
        return {name: tree_rss_mb(pid) for name, pid in self.processes.items()}


def start_ours(workdir: Path) -> System:
    from bot.catalogue.loader import load_catalogue
    from bot.config import settings_from_env
    from bot.db import create_tables, make_engine, make_session_factory
    from bot.launcher import Stack, action_part, child_env, free_port, rasa_part, web_part, worker_part

    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / f"bench-{uuid.uuid4().hex[:6]}.db"
    rasa_port = free_port()
    values = {
        "RASA_AUTH_TOKEN": uuid.uuid4().hex, "SALES_API_TOKEN": uuid.uuid4().hex,
        "ACTION_SERVER_TOKEN": uuid.uuid4().hex, "RASA_HOST": "localhost", "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(free_port()), "WEB_PORT": str(free_port()), "DATABASE_URL": f"sqlite:///{database}",
    }  # fmt: skip
    settings = settings_from_env(values)
    engine = make_engine(settings.database_url)
    create_tables(engine)
    load_catalogue(make_session_factory(engine))
    parts = [action_part(settings), web_part(settings), worker_part(settings), rasa_part(settings)]
    for part in parts:
        part.log = part.log.with_name(f"bench-{part.log.name}")  # beside `make run`'s logs (LOG_DIR)
    stack = Stack(parts)
    stack.start(child_env(settings) | values)
    processes = {part.name: part.process.pid for part in parts if part.process is not None}
    return System("ours", settings.rasa_url, processes, stack.stop)


def start_stock(workdir: Path) -> System:
    from bot.launcher import Part, free_port

    rasa = str(Path(sys.executable).with_name("rasa"))
    models = workdir / "models"
    if not any(models.glob("*.tar.gz")):
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"Training the stock `rasa init` bot once (cached in {workdir}) ...", file=sys.stderr, flush=True)
        subprocess.run([rasa, "init", "--no-prompt", "--init-dir", str(workdir)], cwd=workdir, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    port = free_port()
    part = Part("stock Rasa", [rasa, "run", "--enable-api", "--port", str(port), "--model", str(models)],
                f"http://localhost:{port}/", workdir / "rasa.log")  # fmt: skip
    part.log.parent.mkdir(parents=True, exist_ok=True)
    with part.log.open("ab") as log:
        # its own directory as working directory (Part.start runs in ours)
        part.process = subprocess.Popen(part.command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    part.wait_ready(time.monotonic() + 180)
    return System("stock", f"http://localhost:{port}", {"rasa": part.process.pid}, part.stop)


# ---------------------------------------------------------------------------------------------- report


def ratio(ours: float | None, stock: float | None) -> str:
    return f"{ours / stock:.2f}×" if ours and stock else "–"


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["| load | system | turns/s | p50 ms | p95 ms | p99 ms | errors | RSS MB (all processes) |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in results:
        lines.append(f"| {r['load']} | {r['system']} | {r['turns_per_s']} | {r['p50_ms']} | {r['p95_ms']} | "
                     f"{r['p99_ms']} | {r['errors']} | {r['rss_total_mb']} |")  # fmt: skip
    loads = sorted({r["load"] for r in results}, key=[r["load"] for r in results].index)
    by = {(r["load"], r["system"]): r for r in results}
    if any((load, "stock") in by and (load, "ours") in by for load in loads):
        lines += ["", "| load | ours/stock turns/s | ours/stock p95 |", "|---|---|---|"]
        for load in loads:
            ours, stock = by.get((load, "ours")), by.get((load, "stock"))
            if ours and stock:
                lines.append(f"| {load} | {ratio(ours['turns_per_s'], stock['turns_per_s'])} | "
                             f"{ratio(ours['p95_ms'], stock['p95_ms'])} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", default="1,20", help="closed-loop visitor counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of each closed-loop run")
    parser.add_argument("--open-visitors", type=int, default=20)
    parser.add_argument("--open-seconds", type=float, default=60.0)
    parser.add_argument("--long-turns", type=int, default=40)
    parser.add_argument("--long-repeats", type=int, default=3)
    parser.add_argument("--soak-minutes", type=float, default=0.0,
                        help="then load ours this long (20 visitors, closed loop) and report the memory it holds")
    parser.add_argument("--systems", default="ours,stock")
    parser.add_argument("--url", help="measure a bot that already runs here instead of starting ours")
    parser.add_argument("--pid", type=int, help="with --url: the launcher's pid, whose process tree's memory is "
                        "reported (make run-cluster: every replica, nginx, PostgreSQL and Redis)")
    parser.add_argument("--only", default="", help="replay only these conversation ids (comma-separated)")
    parser.add_argument("--smoke", action="store_true", help="the harness only: one visitor, 5 s, no stock bot")
    parser.add_argument("--json", type=Path, default=PROJECT_ROOT / "results" / "bench-load.json")
    args = parser.parse_args(argv)
    document = yaml.safe_load(CONVERSATIONS.read_text(encoding="utf-8"))
    chosen = [c for c in document["conversations"] if not args.only or c["id"] in args.only.split(",")]
    conversations = [c["turns"] for c in chosen]
    if args.smoke:
        args.visitors, args.seconds, args.open_visitors, args.long_repeats, args.systems = "1", 5.0, 0, 0, "ours"
    systems: list[System] = []
    results: list[dict[str, Any]] = []
    growth: dict[str, dict[str, Any]] = {}
    try:
        for name in args.systems.split(","):
            if name == "ours":
                running = {"launcher": args.pid} if args.pid else {}
                systems.append(System("ours", args.url, running, lambda: None) if args.url else start_ours(BENCH_DIR))
            elif name == "stock":
                systems.append(start_stock(BENCH_DIR / "stock"))
        for visitors in [int(v) for v in args.visitors.split(",") if v]:
            for system in systems:  # the same load on each system, one after the other, in one run
                samples, seconds = run_load(system.url, conversations, visitors, args.seconds)
                result = Result(system.name, f"closed, {visitors} visitor(s)", seconds, samples, system.rss())
                results.append(result.summary())
                print(json.dumps(results[-1]), file=sys.stderr, flush=True)
        if args.open_visitors:
            rng = random.Random(7)
            for system in systems:
                samples, seconds = run_load(system.url, conversations, args.open_visitors, args.open_seconds,
                                            think=lambda: rng.uniform(5, 15))  # fmt: skip
                result = Result(system.name, f"open, {args.open_visitors} visitors, 5-15 s think", seconds, samples,
                                system.rss())  # fmt: skip
                results.append(result.summary())
                print(json.dumps(results[-1]), file=sys.stderr, flush=True)
        if args.long_repeats:
            for system in systems:
                samples = long_conversation(system.url, document["long"], args.long_turns, args.long_repeats)
                early = p95([s.latency_s for s in samples if s.turn <= 5])
                late = p95([s.latency_s for s in samples if 20 <= s.turn <= 40])
                growth[system.name] = {"p95_turns_1_5_ms": early, "p95_turns_20_40_ms": late,
                                       "growth": round(late / early, 2) if early and late else None,
                                       "errors": sum(not s.ok for s in samples)}  # fmt: skip
        if args.soak_minutes:
            for system in systems:
                if system.name != "ours":
                    continue
                before = system.rss()
                samples, seconds = run_load(system.url, conversations, 20, args.soak_minutes * 60)
                result = Result(system.name, f"soak, 20 visitors, {args.soak_minutes:g} min", seconds, samples,
                                system.rss())  # fmt: skip
                results.append({**result.summary(), "rss_before_mb": before})
                print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    finally:
        for system in systems:
            system.stop()
    print(f"Machine: {os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}")
    print(markdown(results))
    if growth:
        print("\n| system | p95 turns 1-5 | p95 turns 20-40 | growth | errors |\n|---|---|---|---|---|")
        for name, g in growth.items():
            print(f"| {name} | {g['p95_turns_1_5_ms']} ms | {g['p95_turns_20_40_ms']} ms | {g['growth']}× | "
                  f"{g['errors']} |")  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"results": results, "growth": growth}, indent=1), encoding="utf-8")
    return 1 if any(r["system"] == "ours" and r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
