"""A PostgreSQL server the test suite starts itself, in a temporary directory.

Debian's `postgresql` package puts initdb under /usr/lib/postgresql/N/bin; initdb refuses
to run as root, so as root the server runs as the `postgres` user the package creates.
Each test gets a database of its own, made from a template already migrated (CREATE
DATABASE … TEMPLATE copies it in a few milliseconds).
"""

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

NO_PG = "SERVICEDESK_TEST_NO_PG"


def bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server in a temporary directory, removed by stop(); or (bench/pg.py) in `base`, kept
    with its databases between runs, and `durable` (fsync on, as a real server: the writers'
    rate counts each commit's flush)."""

    def __init__(self, bin_dir: Path, base: Path | None = None, durable: bool = False):
        self.bin = bin_dir
        self.kept = base is not None
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
        self.base = base or Path(tempfile.mkdtemp(prefix="servicedesk-pg-"))
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.base, "postgres")
        self.port = _free_port()
        self.names = itertools.count()
        self._admin = None
        data = self.base / "data"
        if not (data / "PG_VERSION").exists():
            self._run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--locale=C", "-E", "UTF8", "--no-sync")
        options = f"-k {self.base} -p {self.port} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not durable:
            options += " -c fsync=off"
        self._run("pg_ctl", "-D", data, "-l", self.base / "log", "-w", "-o", options, "start")

    def _run(self, program: str, *args) -> None:
        command = [str(self.bin / program), *map(str, args)]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.base)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}\n{done.stderr}")

    def url(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    @property
    def admin(self):
        if self._admin is None:
            import psycopg

            self._admin = psycopg.connect(self.url("postgres"), autocommit=True)
        return self._admin

    def create(self, template: str | None = None, prefix: str = "t") -> str:
        """A new database's name, empty or a copy of the template."""
        name = f"{prefix}{next(self.names)}"
        self.admin.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""))
        return name

    def replace(self, name: str, template: str) -> None:
        """The database `name` becomes a copy of `template`."""
        self.drop(name)
        self.admin.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")

    def drop(self, name: str) -> None:
        self.admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def databases(self) -> set[str]:
        return {r[0] for r in self.admin.execute("SELECT datname FROM pg_database")}

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
        if self.kept:  # shut down cleanly: its databases are used again
            self._run("pg_ctl", "-D", self.base / "data", "-m", "fast", "stop")
            return
        try:
            self._run("pg_ctl", "-D", self.base / "data", "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def dbname(url: str) -> str:
    return url.rsplit("/", 1)[1]
