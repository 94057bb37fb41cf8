"""`make run-cluster`: the standard Rasa production shape on one machine, every part a supervised child.

- PostgreSQL holds the conversations and our tables: the one in DATABASE_URL if that is a PostgreSQL URL,
  otherwise a cluster initialised under `var/cluster/postgres/` (CLUSTER_DIR) and started here on
  CLUSTER_POSTGRES_PORT.
- Redis holds Rasa's lock store (one message of a conversation at a time, whichever replica gets it): the
  one in REDIS_URL, otherwise one started here on CLUSTER_REDIS_PORT (locks only, nothing persisted).
- RASA_REPLICAS Rasa servers and ACTION_REPLICAS action servers on internal ports, behind nginx, which
  listens on the public addresses of `make run`: RASA_PORT for chat, REST, socket.io (sticky per session)
  and the HTTP API, ACTION_PORT for Rasa's calls to the actions.
- The web app and the outbox worker, as in `make run`.
The topology for several machines is in docs/deploy.md.
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT, Settings
from bot.launcher import Part, action_part, free_port, rasa_part, web_part, worker_part

TEMPLATES = Path(__file__).resolve().parent / "templates"
POSTGRES_USER = "journey"


class ClusterError(RuntimeError):
    """A prerequisite of cluster mode is missing; the text says what to do."""


@dataclasses.dataclass(frozen=True)
class Replica:
    name: str
    port: int


@dataclasses.dataclass
class Cluster:
    """The parts of one cluster, in start order, and the settings every Rasa, action and web process gets."""

    settings: Settings
    parts: list[Part]
    database_url: str
    redis_url: str


def postgres_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise ClusterError("Cluster mode needs PostgreSQL: sudo apt-get install postgresql (or set DATABASE_URL)")
    return Path(found[-1]).parent


def _need(binary: str, package: str) -> str:
    path = shutil.which(binary) or next((p for p in (f"/usr/sbin/{binary}", f"/usr/bin/{binary}") if
                                         os.path.exists(p)), None)  # fmt: skip
    if path is None:
        raise ClusterError(f"Cluster mode needs {package}: sudo apt-get install {package}")
    return path


def postgres_user() -> str | None:
    """PostgreSQL refuses to run as root: as root, it runs as the `postgres` system user (Debian's package makes it)."""
    return "postgres" if os.geteuid() == 0 else None


def _tcp_ready(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _postgres_ready(binaries: Path, port: int) -> bool:
    return subprocess.run([str(binaries / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)],
                          timeout=10).returncode == 0  # fmt: skip


def local_postgres(settings: Settings) -> tuple[Part, str]:
    """A PostgreSQL server for this machine, its cluster under CLUSTER_DIR/postgres (initialised the first time)."""
    binaries = postgres_binaries()
    home = settings.cluster_dir / "postgres"
    data = home / "data"
    if not (data / "PG_VERSION").exists():
        home.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(home, "postgres", "postgres")
        print(f"Initialising a PostgreSQL cluster in {data} ...", flush=True)
        subprocess.run([str(binaries / "initdb"), "-D", str(data), "-U", POSTGRES_USER, "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL, timeout=300, cwd=home,
                       user=postgres_user(), group=postgres_user())  # fmt: skip
    port = settings.cluster_postgres_port
    part = Part(
        name="PostgreSQL",
        command=[str(binaries / "postgres"), "-D", str(data), "-p", str(port), "-k", str(data),
                 "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],  # fmt: skip
        user=postgres_user(),
        health_url=None,
        log=settings.log_dir / "postgres.log",
        ready=lambda: _postgres_ready(binaries, port),
    )
    return part, f"postgresql://{POSTGRES_USER}@127.0.0.1:{port}/journey"


def ensure_database(url: str) -> None:
    """Creates the URL's database on its server when it does not exist yet (a fresh local cluster)."""
    from sqlalchemy import create_engine, text

    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    try:
        with server.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": parsed.database}).scalar()  # fmt: skip
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        server.dispose()


def local_redis(settings: Settings) -> tuple[Part, str]:
    binary = _need("redis-server", "redis-server")
    port = settings.cluster_redis_port
    part = Part(
        name="Redis",
        command=[binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(settings.cluster_dir)],  # fmt: skip
        health_url=None,
        log=settings.log_dir / "redis.log",
        ready=lambda: _tcp_ready(port),
    )
    return part, f"redis://127.0.0.1:{port}/0"


def endpoints_file(redis_url: str, cluster_dir: Path) -> Path:
    """endpoints.yml with the Redis lock store instead of the in-memory one, for the replicas."""
    parsed = make_url(redis_url.replace("redis://", "redis+py://", 1))
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["lock_store"] = {
        "type": "bot.rasa_plugins.lock_store.AtomicRedisLockStore",  # tickets changed atomically
        "url": parsed.host or "127.0.0.1",
        "port": parsed.port or 6379,
        "db": int(parsed.database or 0),
        **({"password": parsed.password} if parsed.password else {}),
        "key_prefix": "journey",
        "socket_timeout": 2,  # a hung Redis: a clear error after 2 s (Rasa's default is 10)
    }
    path = cluster_dir / "endpoints.yml"
    header = "# Written by make run-cluster from endpoints.yml, with the lock store the replicas share.\n"
    path.write_text(header + yaml.safe_dump(endpoints, sort_keys=False, allow_unicode=True), encoding="utf-8")
    path.chmod(0o600)
    return path


def nginx_part(settings: Settings, replicas: list[Replica], action_ports: list[int]) -> Part:
    binary = _need("nginx", "nginx")
    prefix = settings.cluster_dir / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False,
                              keep_trailing_newline=True)  # fmt: skip  # nginx syntax, not HTML
    config = environment.get_template("nginx.conf.j2").render(
        as_root=os.geteuid() == 0, prefix=prefix, log_dir=settings.log_dir, replicas=replicas,
        action_ports=action_ports, bind_host=settings.bind_host, rasa_port=settings.rasa_port,
        action_port=settings.action_port, action_timeout_s=int(settings.action_timeout_s) + 1,
    )  # fmt: skip
    (prefix / "nginx.conf").write_text(config, encoding="utf-8")
    return Part(
        name="nginx",
        command=[binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        health_url=None,
        log=settings.log_dir / "nginx.log",
        ready=lambda: _tcp_ready(settings.rasa_port),
    )


def plan(settings: Settings) -> Cluster:
    """Every part of the cluster, configured; PostgreSQL and Redis only where no URL names managed ones."""
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    settings.cluster_dir.mkdir(parents=True, exist_ok=True)
    parts: list[Part] = []
    if make_url(settings.database_url).get_backend_name() == "postgresql":
        database_url = settings.database_url
    else:
        postgres, database_url = local_postgres(settings)
        parts.append(postgres)
    if settings.redis_url:
        redis_url = settings.redis_url
    else:
        redis, redis_url = local_redis(settings)
        parts.append(redis)
    shared = dataclasses.replace(settings, database_url=database_url, redis_url=redis_url)
    endpoints = endpoints_file(redis_url, settings.cluster_dir)
    replicas = [Replica(f"r{number}", free_port()) for number in range(1, settings.rasa_replicas + 1)]
    action_ports = [free_port() for _ in range(settings.action_replicas)]
    for number, port in enumerate(action_ports, start=1):
        part = action_part(dataclasses.replace(shared, action_port=port))
        part.name, part.log = f"action server {number}", settings.log_dir / f"actions-{number}.log"
        parts.append(part)
    for replica in replicas:
        own = dataclasses.replace(shared, rasa_port=replica.port, bind_host="127.0.0.1")
        part = rasa_part(own, endpoints=endpoints, name=f"Rasa replica {replica.name}")
        part.log, part.env = settings.log_dir / f"rasa-{replica.name}.log", {"JOURNEY_REPLICA": replica.name}
        parts.append(part)
    web = web_part(shared)  # train-and-deploy swaps the model in each replica in turn (bot/content/deploy.py)
    web.env = {"RASA_REPLICA_URLS": ",".join(f"http://127.0.0.1:{replica.port}" for replica in replicas)}
    parts += [nginx_part(shared, replicas, action_ports), web, worker_part(shared)]
    layout = {"replicas": {replica.name: replica.port for replica in replicas}, "action_ports": action_ports}
    (settings.cluster_dir / "cluster.json").write_text(json.dumps(layout, indent=2), encoding="utf-8")
    return Cluster(shared, parts, database_url, redis_url)


def cluster_env(cluster: Cluster, base: dict[str, str]) -> dict[str, str]:
    """The environment of every part: the shared database and Redis instead of what .env says."""
    return base | {"DATABASE_URL": cluster.database_url, "REDIS_URL": cluster.redis_url,
                   "PYTHONUNBUFFERED": "1"}  # fmt: skip

