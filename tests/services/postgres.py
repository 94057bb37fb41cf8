"""A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries, a cluster initialised in a
temporary directory, listening on a free port on 127.0.0.1 only, removed afterwards.

`make test` installs the package with apt when run as root (scripts/ensure_services.sh). As root the
server runs as the `postgres` system user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.ops.cluster import ClusterError, postgres_binaries, postgres_user
from tests.running_bot import free_port


def need_postgres() -> Path:
    """The PostgreSQL binaries, or a skip (a failure in CI, where make installs them)."""
    try:
        return postgres_binaries()
    except ClusterError:
        message = "needs Debian's postgresql (make test installs it with apt as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def postgres_server(stop_timeout: float = 30.0) -> Iterator[tuple[str, Path, int]]:
    """Starts a server; yields (SQLAlchemy URL of database `journey`, data directory, port)."""
    binaries = need_postgres()
    workdir = Path(tempfile.mkdtemp(prefix="journey-pg-", dir="/tmp"))
    data, port = workdir / "data", free_port()
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    subprocess.run([str(binaries / "initdb"), "-D", str(data), "-U", "journey", "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=120,
                   cwd=workdir, user=postgres_user(), group=postgres_user())  # fmt: skip
    server = pg_ctl(binaries, data, port, "start")
    try:
        deadline = time.monotonic() + 60
        while subprocess.run([str(binaries / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                             stdout=subprocess.DEVNULL).returncode != 0:  # fmt: skip
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not start: " + (workdir / "server.log").read_text(errors="replace"))
            time.sleep(0.2)
        subprocess.run([str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "journey", "journey"],
                       check=True, timeout=60)  # fmt: skip
        yield f"postgresql://journey@127.0.0.1:{port}/journey", data, port
    finally:
        pg_ctl(binaries, data, port, "stop", "-m", "immediate")
        server.wait(timeout=stop_timeout)
        shutil.rmtree(workdir, ignore_errors=True)


def pg_ctl(binaries: Path, data: Path, port: int, *action: str) -> subprocess.Popen[bytes]:
    """Runs `pg_ctl <action>` for the cluster (start: listening on 127.0.0.1:port, socket in the data directory)."""
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    command = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(data.parent / "server.log"), "-o", options, "-w",
               *action]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
                            cwd=data.parent, user=postgres_user(), group=postgres_user())  # fmt: skip

