"""Starts and stops the bot's parts: `python -m bot.launcher run|shell|eval|answers`.

`make run` uses `run`: action server, web app (website with the chat widget, sales inbox),
outbox worker and Rasa server (REST and socket.io channels, HTTP API behind a token, SQL
tracker store) until Ctrl-C. `make shell` chats in the terminal; `make eval` scores a
running bot (starting one if none is up) with the shared evaluation script; `make eval-answers`
scores its replies with scripts/eval_answers.py the same way.
"""

from __future__ import annotations

import argparse
import os
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from bot.config import PROJECT_ROOT, Settings, load_settings

MODEL = PROJECT_ROOT / "models" / "journey.tar.gz"
BIN = Path(sys.executable).parent
READY_TIMEOUT_S = 120.0
# A part that exits is started again after these waits (the last one repeats); one that then stays
# up for STABLE_AFTER_S starts again from the first.
RESTART_BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
STABLE_AFTER_S = 60.0
# Random secrets `make run` writes into .env when they are empty.
SECRETS = ("RASA_AUTH_TOKEN", "SALES_API_TOKEN", "ACTION_SERVER_TOKEN")


def ensure_auth_token(env_file: Path = PROJECT_ROOT / ".env", name: str = "RASA_AUTH_TOKEN") -> None:
    """Give an API a token: create .env (mode 0600) from .env.example and fill in a random one."""
    if os.environ.get(name, "").strip():
        return
    if not env_file.exists():
        example = PROJECT_ROOT / ".env.example"
        env_file.write_text(example.read_text(encoding="utf-8") if example.exists() else "", encoding="utf-8")
    token = secrets.token_urlsafe(24)
    while token.startswith("-"):  # a leading dash reads as an option on a command line (curl, our eval scripts)
        token = secrets.token_urlsafe(24)
    lines = env_file.read_text(encoding="utf-8").splitlines()
    if any(line.startswith(f"{name}=") for line in lines):
        lines = [f"{name}={token}" if line.startswith(f"{name}=") else line for line in lines]
    else:
        lines.append(f"{name}={token}")
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env_file.chmod(0o600)  # secrets: readable by the bot's user only
    os.environ[name] = token
    print(f"Wrote a new {name} to {env_file.name}.")


def child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["ACTION_ENDPOINT_URL"] = settings.action_url
    env["NLG_ENDPOINT_URL"] = settings.nlg_url  # endpoints.yml `nlg:`, served by the action server
    env["ACTION_SERVER_TOKEN"] = settings.action_server_token  # endpoints.yml sends it, bot.action_server checks it
    env["RASA_AUTH_TOKEN"] = settings.rasa_auth_token  # read by bot.rasa_plugins.serve
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def responds(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(200 <= response.status < 300)
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Part:
    """One server process with its log file."""

    name: str
    command: list[str]
    health_url: str | None  # None: ready once the process has stayed up for a second
    log: Path
    #: variables this part gets on top of the shared environment (a replica's name, say)
    env: dict[str, str] = field(default_factory=dict)
    #: the system user the part runs as, when the launcher runs as root (PostgreSQL refuses to run as root)
    user: str | None = None
    #: readiness for a part without an HTTP health URL (PostgreSQL, Redis); None: up for a second is ready
    ready: Callable[[], bool] | None = field(default=None, repr=False)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    started_at: float = field(default=0.0, repr=False)
    failures: int = field(default=0, repr=False)  # exits in a row, each without staying up STABLE_AFTER_S
    restart_at: float | None = field(default=None, repr=False)

    def start(self, env: dict[str, str]) -> None:
        self.started_at = time.monotonic()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=PROJECT_ROOT,
                env=env | self.env,
                user=self.user,
                group=self.user,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_ready(self, deadline: float) -> None:
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with code {self.process.returncode}; see {self.log}\n{tail(self.log)}"
                )
            if self.ready is not None:
                if self.ready():
                    return
                time.sleep(0.2)
                continue
            if self.health_url is None:  # no health endpoint: ready once it stays up for a second
                time.sleep(1.0)
                if self.process.poll() is None:
                    return
                continue
            if responds(self.health_url):
                return
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} was not ready after {READY_TIMEOUT_S:.0f} s; see {self.log}\n{tail(self.log)}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def action_part(settings: Settings) -> Part:
    return Part(
        name="action server",
        command=[sys.executable, "-m", "bot.action_server", "--port", str(settings.action_port)],
        health_url=f"http://{settings.rasa_host}:{settings.action_port}/health",
        log=settings.log_dir / "actions.log",
    )


def rasa_part(settings: Settings, endpoints: Path = PROJECT_ROOT / "endpoints.yml", name: str = "Rasa server") -> Part:
    """Rasa with the HTTP API on; its token goes through the environment (bot/rasa_plugins/serve.py),
    never on the command line, where `ps` would show it."""
    return Part(
        name=name,
        command=[
            sys.executable,
            "-m",
            "bot.rasa_plugins.serve",
            "run",
            "--model",
            str(settings.model_file),
            "--endpoints",
            str(endpoints),
            "--credentials",
            "credentials.yml",
            "--enable-api",
            "--interface",
            settings.bind_host,
            "--port",
            str(settings.rasa_port),
            "--cors",
            *settings.cors_origins,
        ],
        health_url=f"{settings.rasa_url}/",
        log=settings.log_dir / "rasa.log",
    )


def web_part(settings: Settings) -> Part:
    return Part(
        name="web app",
        command=[sys.executable, "-m", "bot.web.app", "--port", str(settings.web_port)],
        health_url=f"http://{settings.rasa_host}:{settings.web_port}/health",
        log=settings.log_dir / "web.log",
    )


def worker_part(settings: Settings) -> Part:
    return Part(
        name="outbox worker",
        command=[sys.executable, "-m", "bot.sales.worker"],
        health_url=None,
        log=settings.log_dir / "worker.log",
    )


class Stack:
    """The parts `make run` starts, stopped together however the launcher ends."""

    def __init__(self, parts: Sequence[Part]) -> None:
        self.parts = list(parts)

    def start(self, env: dict[str, str]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        for part in self.parts:
            part.start(env)
        try:
            for part in self.parts:
                part.wait_ready(deadline)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for part in reversed(self.parts):
            part.stop()

    def supervise(self, env: dict[str, str], poll_s: float = 0.2) -> None:
        """Keep every part running until interrupted: a part that exits is logged and started again after
        a backoff, while the others go on serving. Ends only by an exception (Ctrl-C, SIGTERM)."""
        while True:
            for part in self.parts:
                self.tend(part, env)
            time.sleep(poll_s)

    @staticmethod
    def tend(part: Part, env: dict[str, str]) -> None:
        assert part.process is not None
        now = time.monotonic()
        code = part.process.poll()
        if code is None:
            if part.failures and now - part.started_at >= STABLE_AFTER_S:
                part.failures = 0
            return
        if part.restart_at is None:
            delay = RESTART_BACKOFF_S[min(part.failures, len(RESTART_BACKOFF_S) - 1)]
            part.restart_at = now + delay
            _say(f"{part.name} exited (code {code}); starting it again in {delay:g} s. The rest keeps serving; "
                 f"see {part.log}")  # fmt: skip
        elif now >= part.restart_at:
            part.failures += 1
            part.restart_at = None
            part.start(env)
            assert part.process is not None
            _say(f"{part.name} started again (pid {part.process.pid}, restart {part.failures} in a row)")


def _say(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


def migrate(settings: Settings) -> None:
    """Bring our tables to the newest migration once, before the parts start (they would only find it done)."""
    from bot.db import make_engine
    from bot.migrations import current_revision, upgrade

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        print(f"Database schema at revision {current_revision(engine)}", flush=True)
    finally:
        engine.dispose()


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(settings: Settings) -> int:
    if responds(f"{settings.rasa_url}/"):
        print(f"Something already answers on {settings.rasa_url}; stop it or set RASA_PORT.", file=sys.stderr)
        return 1
    stack = Stack([action_part(settings), web_part(settings), worker_part(settings), rasa_part(settings)])
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    if settings.widget_connect_on == "mount":
        print("Note: WIDGET_CONNECT_ON=mount stores a chat session in every visitor's browser and sends the page to "
              "the bot on page load, before anyone opens the chat; under § 25 TDDDG that needs the visitor's "
              "consent (docs/website.md). The default is open.", flush=True)  # fmt: skip
    print("Starting the action server and the Rasa server (this takes about 20 s) ...", flush=True)

    def start() -> dict[str, str]:
        migrate(settings)
        env = child_env(settings)
        stack.start(env)
        return env

    banner = (
        f"\nJourney Bot is running.\n"
        f"  Website:       {settings.web_base_url}/  (demo pages with the chat widget; English: /en/)\n"
        f"  Sales inbox:   {settings.web_base_url}/inbox  (accounts: python -m bot.sales.cli add-user)\n"
        f"  Editor area:   {settings.web_base_url}/editor  (accounts: bot.sales.cli add-user NAME --role editor)\n"
        f"  Dashboard:     {settings.web_base_url}/dashboard  (accounts: … --role marketing; or bot.analytics)\n"
        f'  REST channel:  POST {settings.rasa_url}/webhooks/rest/webhook  {{"sender": "me", "message": "Hallo"}}\n'
        f"  HTTP API:      {settings.rasa_url}/conversations/<sender>/tracker?token=<RASA_AUTH_TOKEN from .env>\n"
        f"  Action server: http://{settings.rasa_host}:{settings.action_port}/health\n"
        f"  Handoff API:   {settings.web_base_url}/api/handoffs  (Authorization: Bearer <SALES_API_TOKEN>)\n"
        f"  Conversations: {make_url_safe(settings.database_url)}\n"
        f"  Logs:          {settings.log_dir}/"
    )
    return serve(stack, start, banner)


def serve(stack: Stack, start: Callable[[], dict[str, str]], banner: str) -> int:
    """Start the parts (`start` returns their environment), say where they are, and keep them running until Ctrl-C
    or SIGTERM; they are stopped however it ends."""
    try:
        env = start()
        print(f"{banner}\nA part that stops is started again by itself. Press Ctrl-C to stop.", flush=True)
        stack.supervise(env)
        return 0
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        stack.stop()


def run_cluster(settings: Settings) -> int:
    """`make run-cluster`: PostgreSQL, Redis, nginx, Rasa replicas and action servers (bot/ops/cluster.py),
    the web app and the worker, all supervised like `make run`'s parts, on the same public addresses."""
    from bot.catalogue.loader import load_catalogue
    from bot.db import make_engine, make_session_factory
    from bot.ops.cluster import ClusterError, cluster_env, ensure_database, plan

    if responds(f"{settings.rasa_url}/"):
        print(f"Something already answers on {settings.rasa_url}; stop it or set RASA_PORT.", file=sys.stderr)
        return 1
    try:
        cluster = plan(settings)
    except (ClusterError, subprocess.CalledProcessError) as exc:
        print(exc, file=sys.stderr)
        return 1
    stack = Stack(cluster.parts)
    stores = [part for part in cluster.parts if part.name in ("PostgreSQL", "Redis")]
    env = cluster_env(cluster, child_env(cluster.settings))
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    print(f"Starting the cluster: {', '.join(part.name for part in cluster.parts)} (about a minute) ...", flush=True)

    def start() -> dict[str, str]:
        Stack(stores).start(env)
        ensure_database(cluster.database_url)
        migrate(cluster.settings)
        engine = make_engine(cluster.database_url)
        load_catalogue(make_session_factory(engine))
        engine.dispose()
        Stack([part for part in cluster.parts if part not in stores]).start(env)
        return env

    banner = (
        f"\nJourney Bot is running in cluster mode.\n"
        f"  Chat, REST, socket.io, HTTP API: {settings.rasa_url}  (nginx, {settings.rasa_replicas} Rasa replicas)\n"
        f"  Website and sales inbox:         {settings.web_base_url}/\n"
        f"  Actions:                         {settings.action_url}  (nginx, {settings.action_replicas} servers)\n"
        f"  Conversations:                   {make_url_safe(cluster.database_url)}\n"
        f"  Lock store:                      {make_url_safe(cluster.redis_url)}\n"
        f"  Logs:                            {settings.log_dir}/"
    )
    return serve(stack, start, banner)


def make_url_safe(url: str) -> str:
    """A database or Redis URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def shell(settings: Settings) -> int:
    actions = action_part(settings)
    own_actions = not responds(actions.health_url)
    env = child_env(settings)
    try:
        if own_actions:
            actions.start(env)
            actions.wait_ready(time.monotonic() + READY_TIMEOUT_S)
        # its own server on a free port, so `make shell` also works while `make run` is up
        command = [str(BIN / "rasa"), "shell", "--model", str(settings.model_file), "--endpoints", "endpoints.yml",
                   "--interface", "127.0.0.1", "--port", str(free_port())]  # fmt: skip
        return subprocess.call(command, cwd=PROJECT_ROOT, env=env)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        if own_actions:
            actions.stop()


def start_bot_if_needed(settings: Settings) -> Stack | None:
    """Starts the action server, web app and Rasa when no bot answers; returns them to stop, or
    None when one was already running. Raises RuntimeError when they do not come up."""
    if responds(f"{settings.rasa_url}/"):
        return None
    print("No bot running; starting one for the evaluation ...", flush=True)
    stack = Stack([action_part(settings), web_part(settings), rasa_part(settings)])
    stack.start(child_env(settings))
    return stack


def evaluate(settings: Settings, eval_dir: Path, conversations: Path, extra: Sequence[str]) -> int:
    try:
        stack = start_bot_if_needed(settings)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        script = eval_dir / "journey_eval.py"
        arguments = [
            str(script),
            str(conversations),
            "--url",
            settings.rasa_url,
            f"--token={settings.rasa_auth_token}",  # one argument each: a token may start with a dash
            "--handoffs-url",
            f"{settings.web_base_url}/api/handoffs",
            f"--handoffs-token={settings.sales_api_token}",
            *extra,
        ]
        return run_script(script, arguments)
    finally:
        if stack is not None:
            stack.stop()


def answers(settings: Settings, answers_file: Path, extra: Sequence[str]) -> int:
    """Scores the bot's replies on labelled conversations (scripts/eval_answers.py, issue 11); the
    script reads the token from the environment, set here in-process, never on a command line."""
    try:
        stack = start_bot_if_needed(settings)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    saved = os.environ.get("RASA_AUTH_TOKEN")
    os.environ["RASA_AUTH_TOKEN"] = settings.rasa_auth_token
    try:
        script = PROJECT_ROOT / "scripts" / "eval_answers.py"
        return run_script(script, [str(script), str(answers_file), "--url", settings.rasa_url, *extra])
    finally:
        if saved is None:
            os.environ.pop("RASA_AUTH_TOKEN", None)
        else:
            os.environ["RASA_AUTH_TOKEN"] = saved
        if stack is not None:
            stack.stop()


def run_script(script: Path, argv: list[str]) -> int:
    """Runs a Python script in this process, so the tokens in its arguments never show in `ps`
    (the evaluation script takes them only as arguments)."""
    saved = sys.argv
    sys.argv = argv
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = saved
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.launcher", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start action server and Rasa server until Ctrl-C")
    sub.add_parser("run-cluster", help="PostgreSQL, Redis, nginx and several Rasa and action servers until Ctrl-C")
    sub.add_parser("shell", help="chat with the bot in the terminal")
    ev = sub.add_parser("eval", help="score the bot on the shared evaluation set")
    ev.add_argument("--eval-dir", type=Path, default=PROJECT_ROOT.parent / "shared" / "eval")
    ev.add_argument("--conversations", type=Path, help="labelled conversations (default: the eval dir's public set)")
    an = sub.add_parser("answers", help="score the bot's replies on labelled conversations (issue 11)")
    an.add_argument("answers_file", type=Path, help="e.g. tests/answers/dev.yml")
    args, extra = parser.parse_known_args(argv)
    settings = load_settings()  # reads .env first, so an existing token is kept
    if not settings.model_file.exists():
        print(f"No trained model at {settings.model_file}: run `make train` first.", file=sys.stderr)
        return 1
    if not (settings.rasa_auth_token and settings.sales_api_token and settings.action_server_token):
        for name in SECRETS:
            ensure_auth_token(name=name)
        settings = load_settings()
    if args.command == "run":
        return run(settings)
    if args.command == "run-cluster":
        return run_cluster(settings)
    if args.command == "shell":
        return shell(settings)
    if args.command == "answers":
        return answers(settings, args.answers_file, extra)
    return evaluate(settings, args.eval_dir, args.conversations or args.eval_dir / "conversations.yml", extra)


if __name__ == "__main__":
    sys.exit(main())
