"""The same commands on a SQLite file and on a PostgreSQL database, beside each other.

Not a test: it prints figures. It starts a PostgreSQL server of its own in a temporary
directory (tests/pgserver.py, as the test suite does), builds the same demo park on a
file and on a database with `servicedesk demo`, and times `report weekly`, `ticket list
--status open` and `visit log` as subprocesses, interleaved, on the installed servicedesk.

    /tmp/venv-pg/bin/python bench/pg.py                 # 10k tickets
    /tmp/venv-pg/bin/python bench/pg.py --parks 10k 1M  # and a million (builds for a while)
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))

import pgserver  # noqa: E402 - the suite's server, found beside the tests

from bench import PARKS  # noqa: E402 - the parks bench.py times on files: the same ones here

COMMANDS = {
    "report weekly": ["report", "weekly", "--week", "last", "--format", "json"],
    "ticket list --status open": ["ticket", "list", "--status", "open", "--format", "json"],
    "visit log": ["visit", "log", "E", "--note", "x", "--problem", "用工:x", "--again"],
}


def servicedesk(db: str, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "servicedesk", "--db", db, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{args} on {db}: {done.stderr}")
    return done


def first_enterprise(db: str) -> str:
    import json

    return json.loads(servicedesk(db, "enterprise", "list", "--format", "json").stdout)[0]["name"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parks", nargs="+", default=["10k"], choices=list(PARKS))
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    server = pgserver.Server(pgserver.bindir())
    folder = Path(tempfile.mkdtemp(prefix="servicedesk-bench-"))
    try:
        print(f"{'park':6} {'command':28} {'SQLite ms':>10} {'PostgreSQL ms':>14}  ratio")
        for park in options.parks:
            dbs = {"sqlite": str(folder / f"{park}.db"), "pg": server.url(server.create(prefix=f"p{park.lower()}"))}
            built = {}
            for name, db in dbs.items():
                start = time.perf_counter()
                servicedesk(db, "demo", *PARKS[park])
                built[name] = time.perf_counter() - start
            print(f"{park:6} {'demo (build)':28} {built['sqlite'] * 1000:10.0f} {built['pg'] * 1000:14.0f}")
            enterprise = {name: first_enterprise(db) for name, db in dbs.items()}
            for label, args in COMMANDS.items():
                walls: dict[str, list[float]] = {"sqlite": [], "pg": []}
                for _ in range(options.runs):
                    for name, db in dbs.items():
                        argv = [enterprise[name] if a == "E" else a for a in args]
                        start = time.perf_counter()
                        servicedesk(db, *argv)
                        walls[name].append(time.perf_counter() - start)
                a, b = (statistics.median(walls[n]) * 1000 for n in ("sqlite", "pg"))
                print(f"{park:6} {label:28} {a:10.0f} {b:14.0f}  {b / a:4.2f}×", flush=True)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
