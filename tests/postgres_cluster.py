"""A throwaway PostgreSQL cluster: initdb + pg_ctl in a temporary folder, on a free port."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SERVER_OPTIONS = (
    # Speed over durability: the cluster lives for one test session and is thrown away.
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=200 -c listen_addresses=127.0.0.1"
)


def postgres_bindir() -> Path:
    """Debian's PostgreSQL binaries (newest version), or pg_config's idea of them."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    try:
        answer = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                                check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)") from exc
    return Path(answer.stdout.strip())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayCluster:
    """A PostgreSQL server owned by this process; `stop()` removes every trace of it."""

    user = "herald"

    def __init__(self) -> None:
        self.bindir = postgres_bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="herald-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.started = False

    def _run(self, *command: str) -> None:
        """Run a PostgreSQL tool; as the postgres user when we are root (initdb refuses root)."""
        argv = [str(self.bindir / command[0]), *command[1:]]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stdout}{result.stderr}")

    def start(self) -> ThrowawayCluster:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        options = f"-p {self.port} -k {self.folder} {SERVER_OPTIONS}"
        self._run("pg_ctl", "-D", str(self.data), "-o", options,
                  "-l", str(self.folder / "server.log"), "-w", "-t", "60", "start")
        self.started = True
        return self

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3) for one database of this cluster."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            if self.started:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            self.started = False
            shutil.rmtree(self.folder, ignore_errors=True)
