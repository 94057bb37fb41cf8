"""Train and deploy from the editor area: a new model from the current training data, checked by a gate, swapped into
the running Rasa server(s) without a dropped message.

`python -m bot.content.deploy JOB_DIR` runs one job (the web app starts it in the background and shows its progress
from JOB_DIR/job.json):

1. train a candidate from the current files (`rasa train`, the editors' questions and examples included);
2. the gate: the NLU test set (`tests/nlu`; intent macro-F1 not below the running model's, which is measured once
   and kept in MODELS_DIR/deployed.json) and the conversation tests (`tests/`, every story right);
3. only if the gate holds: Rasa's `PUT /model` on each Rasa server in turn (RASA_REPLICA_URLS in cluster mode, one
   replica after the other, so the others keep answering; a replica answers the messages that arrive while it loads
   once it has loaded, none is dropped), then the candidate becomes MODELS_DIR/journey.tar.gz for the next start.

Every step has a timeout; a failure ends the job with its reason, and the running model stays.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT, Settings, load_settings

TRAIN_TIMEOUT_S = 30 * 60
TEST_TIMEOUT_S = 15 * 60
LOAD_TIMEOUT_S = 5 * 60
STEPS = ("train", "nlu", "conversations", "deploy")
STEP_NAMES = {"train": "Training", "nlu": "Prüfung: NLU-Testsatz", "conversations": "Prüfung: Gesprächstests",
              "deploy": "Ausliefern"}  # fmt: skip


@dataclass
class Step:
    name: str
    state: str = "waiting"  #: waiting, running, passed, failed, skipped
    detail: str = ""
    seconds: float = 0.0


@dataclass
class Job:
    id: str
    started_at: str
    by: str
    state: str = "running"  #: running, deployed, refused (the gate did not hold), failed (an error)
    steps: list[Step] = field(default_factory=lambda: [Step(name) for name in STEPS])
    candidate_f1: float | None = None
    running_f1: float | None = None
    finished_at: str | None = None

    def step(self, name: str) -> Step:
        return next(step for step in self.steps if step.name == name)


def read_job(job_dir: Path) -> Job | None:
    try:
        raw = json.loads((job_dir / "job.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    raw["steps"] = [Step(**step) for step in raw.get("steps") or []]
    return Job(**raw)


def write_job(job_dir: Path, job: Job) -> None:
    temporary = job_dir / ".job.json.tmp"
    temporary.write_text(json.dumps(asdict(job), indent=2), encoding="utf-8")
    temporary.replace(job_dir / "job.json")


def jobs_dir(settings: Settings) -> Path:
    return settings.models_dir / "jobs"


def latest_job(settings: Settings) -> tuple[Path, Job] | None:
    found = sorted(p for p in jobs_dir(settings).glob("*") if p.is_dir()) if jobs_dir(settings).exists() else []
    for job_dir in reversed(found):
        job = read_job(job_dir)
        if job is not None:
            return job_dir, job
    return None


class Busy(Exception):
    """A job is running already."""


def start_job(settings: Settings, by: str, env: dict[str, str] | None = None, background: bool = True
              ) -> tuple[Path, Job]:  # fmt: skip
    """A new job, run in the background (`background=False`: only recorded, for the caller to `run_job`); Busy while
    another one runs."""
    root = jobs_dir(settings)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".start.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        latest = latest_job(settings)
        if latest is not None and latest[1].state == "running" and _alive(latest[0]):
            raise Busy(latest[1].id)
        job_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
        job_dir = root / job_id
        job_dir.mkdir()
        job = Job(id=job_id, started_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), by=by)
        write_job(job_dir, job)
        if not background:
            return job_dir, job
        with open(job_dir / "job.log", "ab") as log:
            process = subprocess.Popen([sys.executable, "-m", "bot.content.deploy", str(job_dir)], cwd=PROJECT_ROOT,
                                       env=(env or dict(os.environ)), stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        (job_dir / "pid").write_text(str(process.pid), encoding="utf-8")
    return job_dir, job


def _alive(job_dir: Path) -> bool:
    try:
        os.kill(int((job_dir / "pid").read_text(encoding="utf-8")), 0)
    except (OSError, ValueError):
        return False
    return True


# --- the job itself -------------------------------------------------------------------------------------------


def run_job(job_dir: Path, settings: Settings) -> Job:
    job = read_job(job_dir)
    if job is None:
        raise SystemExit(f"{job_dir}: no job.json")
    candidate = job_dir / "candidate.tar.gz"
    try:
        with _step(job, job_dir, "train") as step:
            data = [str(settings.nlu_dir), "data/rules"]
            _run([_rasa(), "train", "--config", "config.yml", "--domain", "domain", "--data", *data, "--out",
                  str(job_dir), "--fixed-model-name", "candidate"], TRAIN_TIMEOUT_S, job_dir)  # fmt: skip
            step.detail = f"{candidate.stat().st_size / 1e6:.1f} MB"
        with _step(job, job_dir, "nlu") as step, ThreadPoolExecutor(max_workers=2) as pool:
            # both models at once (each its own `rasa test nlu`, on its own core): the step takes half as long
            candidate_f1 = pool.submit(_macro_f1, candidate, job_dir / "nlu-candidate", job_dir)
            running_f1 = pool.submit(_running_f1, settings, job_dir)
            job.candidate_f1, job.running_f1 = candidate_f1.result(), running_f1.result()
            step.detail = f"Makro-F1 {job.candidate_f1:.3f}, laufendes Modell {job.running_f1:.3f}"
            if job.candidate_f1 < job.running_f1:
                step.state = "failed"
        if job.step("nlu").state == "failed":
            return _finish(job, job_dir, "refused")
        with _step(job, job_dir, "conversations") as step:
            result = _run([_rasa(), "test", "core", "--model", str(candidate), "--stories", "tests", "--out",
                           str(job_dir / "core"), "--e2e", "--fail-on-prediction-errors", "--no-plot"],
                          TEST_TIMEOUT_S, job_dir, check=False)  # fmt: skip
            step.detail = _stories_result(job_dir / "core")
            if result != 0:
                step.state = "failed"
        if job.step("conversations").state == "failed":
            return _finish(job, job_dir, "refused")
        with _step(job, job_dir, "deploy") as step:

            def loading(number: int, servers: int) -> None:
                step.detail = f"Rasa-Server {number} von {servers} lädt das neue Modell"
                write_job(job_dir, job)

            servers = swap_model(settings, candidate, loading)
            _remember(settings, {"model": str(settings.model_file), "macro_f1": job.candidate_f1, "job": job.id})
            step.detail = f"{servers} Rasa-Server mit dem neuen Modell"
        return _finish(job, job_dir, "deployed")
    except Exception as error:  # any failure: the job says why, the running model stays
        return _finish(job, job_dir, "failed", f"{type(error).__name__}: {error}")


def swap_model(settings: Settings, model: Path, loading: Callable[[int, int], None] = lambda number, servers: None
               ) -> int:  # fmt: skip
    """Each Rasa server (RASA_REPLICA_URLS, or the one at RASA_URL) loads `model` in turn, the next one only when the
    one before answers with the new model in service; then `model` becomes the one every later start loads. Returns
    how many servers loaded it; raises at the first that does not (the ones after it keep their model)."""
    urls = settings.rasa_replica_urls or (settings.rasa_url,)
    for number, url in enumerate(urls, start=1):
        loading(number, len(urls))
        _load_model(url, model, settings.rasa_auth_token)
    temporary = settings.models_dir / ".journey.tar.gz.tmp"
    shutil.copyfile(model, temporary)
    temporary.replace(settings.model_file)
    return len(urls)


class _step:
    def __init__(self, job: Job, job_dir: Path, name: str) -> None:
        self.job, self.job_dir, self.step = job, job_dir, job.step(name)

    def __enter__(self) -> Step:
        self.step.state, self.started = "running", time.monotonic()
        write_job(self.job_dir, self.job)
        return self.step

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> None:
        self.step.seconds = round(time.monotonic() - self.started, 1)
        if error is not None:
            self.step.state, self.step.detail = "failed", f"{type(error).__name__}: {error}"
        elif self.step.state == "running":
            self.step.state = "passed"
        write_job(self.job_dir, self.job)


def _finish(job: Job, job_dir: Path, state: str, reason: str = "") -> Job:
    job.state = state
    job.finished_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    for step in job.steps:
        if step.state == "waiting":
            step.state = "skipped"
        if step.state == "running":
            step.state, step.detail = "failed", reason
    write_job(job_dir, job)
    print(f"job {job.id}: {state} {reason}".strip(), flush=True)
    return job


def _rasa() -> str:
    return str(Path(sys.executable).parent / "rasa")


def _run(command: Sequence[str], timeout_s: float, job_dir: Path, check: bool = True) -> int:
    with open(job_dir / "job.log", "ab") as log:
        log.write(f"$ {' '.join(command)}\n".encode())
        log.flush()
        # at the lowest CPU priority: on a machine that also serves the chat, the visitors' messages come first
        result = subprocess.run(command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, timeout=timeout_s,
                                stdin=subprocess.DEVNULL, check=False, preexec_fn=lambda: os.nice(19))  # fmt: skip
    if check and result.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} {command[1]} stopped with code {result.returncode} (job.log)")
    return result.returncode


def _macro_f1(model: Path, out: Path, job_dir: Path) -> float:
    _run([_rasa(), "test", "nlu", "--model", str(model), "--nlu", "tests/nlu", "--out", str(out), "--no-plot"],
         TEST_TIMEOUT_S, job_dir)  # fmt: skip
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    return round(float(report["macro avg"]["f1-score"]), 4)


def _running_f1(settings: Settings, job_dir: Path) -> float:
    """The running model's macro-F1, measured once per deployed model and kept."""
    deployed = settings.model_file
    known = _remembered(settings)
    fingerprint = _fingerprint(deployed)
    if known.get("fingerprint") == fingerprint and isinstance(known.get("macro_f1"), int | float):
        return float(known["macro_f1"])
    f1 = _macro_f1(deployed, job_dir / "nlu-running", job_dir)
    _remember(settings, {"model": str(deployed), "macro_f1": f1, "fingerprint": fingerprint})
    return f1


def _fingerprint(model: Path) -> str:
    """Which model file is deployed: its size and modification time (a copy replaces it, so both change)."""
    return f"{model.stat().st_size}-{model.stat().st_mtime_ns}"


def _remembered(settings: Settings) -> dict[str, Any]:
    try:
        return dict(json.loads((settings.models_dir / "deployed.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _remember(settings: Settings, values: dict[str, Any]) -> None:
    deployed = settings.model_file
    if "fingerprint" not in values and deployed.exists():
        values["fingerprint"] = _fingerprint(deployed)
    (settings.models_dir / "deployed.json").write_text(json.dumps(values, indent=2), encoding="utf-8")


def _stories_result(out: Path) -> str:
    try:
        report = json.loads((out / "story_report.json").read_text(encoding="utf-8"))
        conversations = report.get("conversation_accuracy") or {}
        return f"{conversations.get('correct', '?')} von {conversations.get('total', '?')} Gesprächen richtig"
    except (OSError, ValueError):
        failed = out / "failed_test_stories.yml"
        if failed.exists() and "None of the test stories failed" in failed.read_text(encoding="utf-8"):
            return "alle Gespräche richtig"
        return "siehe job.log"


def _load_model(rasa_url: str, model: Path, token: str) -> None:
    """Rasa's `PUT /model`: the server loads the model and answers when it is in service."""
    body = json.dumps({"model_file": str(model.resolve())}).encode()
    request = urllib.request.Request(f"{rasa_url}/model?token={token}", data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=LOAD_TIMEOUT_S) as response:
            if response.status not in (200, 204):
                raise RuntimeError(f"{rasa_url}: PUT /model answered {response.status}")
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{rasa_url}: PUT /model answered {error.code}: {error.read()[:200]!r}") from error


def main(argv: Sequence[str] | None = None) -> int:
    args = list(argv if argv is not None else sys.argv[1:])
    if len(args) != 1:
        print("usage: python -m bot.content.deploy JOB_DIR", file=sys.stderr)
        return 2
    job = run_job(Path(args[0]), load_settings())
    return 0 if job.state in ("deployed", "refused") else 1


if __name__ == "__main__":
    sys.exit(main())
