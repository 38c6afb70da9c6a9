"""The same commands on a SQLite file and on a PostgreSQL database, beside each other.

Not a test: it prints figures. The parks are bench.py's (built there with `servicedesk
demo` and cached in --parks-dir); each is copied onto a PostgreSQL server of its own with
`servicedesk copy FILE URL`, timed, and the copy's weekly reports compared with the
file's. The server (tests/pgserver.py, durable: fsync on, as a real one) keeps its data in
--parks-dir/pg between runs, so the 1M park is copied once (about 15 minutes), not on
every run; a copy is made again when its file was rebuilt or with --rebuild.

Then, on an installed snapshot of the working tree (as bench.py: a regular install, in
its own venv, so editing the tree meanwhile does not change what is timed):
- `report weekly`, `ticket list --status open` and `visit log` as subprocesses on both,
  interleaved in shuffled rounds (visit log on scratch copies of the parks);
- --writers N: N writer processes at once, each logging --writes visits (each opening a
  ticket) through the real CLI in process, one command after another as at a terminal,
  on a scratch copy; the rate is all visits over the time from the first start to the
  last finish, and every visit must be in the ledger afterwards.

    python bench/pg.py                          # 10k, 7 rounds, 20 writers
    python bench/pg.py --parks 10k 1M           # and a million (copied once, ~15 min)
    python bench/pg.py --parks 1M --check-weeks all --runs 0 --writers 0   # every week compared
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))

import pgserver  # noqa: E402 - the suite's server, found beside the tests

from bench import MIB, PARKS, Result, child_env, ensure_park, install, measure, probe, say  # noqa: E402

COMMANDS = {
    "report weekly": ["report", "weekly", "--week", "last"],
    "ticket list --status open": ["ticket", "list", "--status", "open"],
    "visit log": ["visit", "log", "E", "--note", "x", "--problem", "用工:x", "--again"],
}

# One officer at a terminal: logs visits one after another through the real CLI, each
# command opening the ledger anew (a new connection) as a new process would. In one process:
# the interpreter's start and imports (~0.5 s of CPU a process) are paid once, by a first
# visit logged before the start, and Typer's conversion of the app into Click's commands is
# made once, as in one long process (tests/conftest.py does the same).
WRITER = textwrap.dedent(
    """
    import contextlib, json, sys, time
    import typer.main, typer.testing
    from typer.testing import CliRunner
    from servicedesk.cli import app
    from servicedesk.store import Store

    converted = typer.main.get_command(app)
    typer.testing._get_command = lambda typer_app: converted
    db, enterprise, writes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    runner, failures, took, held = CliRunner(), [], [], []

    # How long each write holds the ledger's one write lock (from BEGIN IMMEDIATE to COMMIT).
    write = Store.write

    @contextlib.contextmanager
    def timed_write(self):
        outer = self._conn is not None and self._conn.in_transaction
        with write(self) as conn:
            began = time.perf_counter()
            yield conn
        if not outer:
            held.append(time.perf_counter() - began)

    Store.write = timed_write

    def visit(note):
        done = runner.invoke(app, ["--db", db, "visit", "log", enterprise, "--note", note,
                                   "--problem", f"用工:{note}", "--again"])
        if done.exit_code:  # a traceback (CliRunner keeps the exception, not its text) or a message
            failures.append(done.stderr.strip()[-300:] or repr(done.exception)[:300])

    visit("bench warm-up")
    print("ready", flush=True)
    sys.stdin.readline()
    held.clear()
    started = time.time()
    for i in range(writes):
        t = time.perf_counter()
        visit(f"bench {i}")
        took.append(time.perf_counter() - t)
    print(json.dumps({"start": started, "end": time.time(), "took": took, "held": held, "failures": failures}))
    """
)


def run(python: Path, db: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([str(python), "-m", "servicedesk", "--db", db, *args], capture_output=True, text=True,
                          env=env)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} on {db}: {done.stderr.strip()}")
    return done


def timed(argv: list[str], env: dict) -> tuple[float, float, float, str]:
    """(wall s, cpu s, peak MiB, stderr) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(argv)}: {err.strip()}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / MIB, err


def pg_park(server, name: str, park: dict, python: Path, env: dict, rebuild: bool, parks_dir: Path) -> dict:
    """The park copied onto the server, once per build of its file: (meta with the copy's figures)."""
    database, meta_path = f"park_{name.lower()}", parks_dir / f"pg-{name}.json"
    source = {k: park[k] for k in ("args", "week", "schema", "built_on", "build_s")}
    if not rebuild and meta_path.exists() and database in server.databases():
        meta = json.loads(meta_path.read_text())
        if meta.get("source") == source:
            return {**meta, "cached": True, "url": server.url(database)}
    meta_path.unlink(missing_ok=True)
    server.drop(database)
    server.admin.execute(f"CREATE DATABASE {database}")
    say(f"copying the {name} park onto the server: servicedesk copy {park['db']} {server.url(database)}")
    wall, cpu, mib, _ = timed([str(python), "-m", "servicedesk", "copy", park["db"], server.url(database)], env)
    size = server.admin.execute("SELECT pg_database_size(%s)", (database,)).fetchone()[0]
    meta = {"source": source, "copy_s": wall, "copy_cpu_s": cpu, "copy_peak_mib": mib, "mib": size / MIB / MIB,
            "copied_on": time.strftime("%Y-%m-%d")}  # fmt: skip
    meta_path.write_text(json.dumps(meta, indent=1))
    return {**meta, "cached": False, "url": server.url(database)}


def weeks_to_check(park: dict, how: str) -> list[str]:
    """The park's weeks, newest first: all of them, or N spread evenly from the last one back."""
    from datetime import date, timedelta

    args = park["args"]
    count = int(args[args.index("--weeks") + 1]) if "--weeks" in args else 12  # demo's default
    year, week = (int(x) for x in park["week"].split("-W"))
    day = date.fromisocalendar(year, week, 1) - timedelta(weeks=1)  # the demo ends last week
    weeks = ["{}-W{:02d}".format(*(day - timedelta(weeks=i)).isocalendar()[:2]) for i in range(count)]
    return weeks if how == "all" else weeks[:: max(1, -(-len(weeks) // int(how)))]


def compare_weeks(python: Path, file_db: str, url: str, weeks: list[str], env: dict) -> tuple[int, list[str]]:
    """(weeks compared, weeks whose JSON differs); a week before the park began reads the same empty report."""
    differ = []
    for week in weeks:
        a, b = (run(python, db, "report", "weekly", "--week", week, "--format", "json", env=env).stdout
                for db in (file_db, url))  # fmt: skip
        if a != b:
            differ.append(week)
    return len(weeks), differ


def scratch_copies(server, name: str, park: dict, url: str, folder: Path) -> dict[str, str]:
    """A file and a database to write on, copies of the park's (the parks stay as built)."""
    path = folder / f"{name}-scratch.db"
    shutil.copyfile(park["db"], path)
    database = f"scratch_{name.lower()}"
    server.drop(database)
    server.admin.execute(f"CREATE DATABASE {database} TEMPLATE {pgserver.dbname(url)} STRATEGY FILE_COPY")
    return {"sqlite": str(path), "pg": server.url(database)}


def writers(python: Path, db: str, enterprises: list[str], n: int, writes: int, env: dict) -> dict:
    """n writers at once, `writes` visit logs each; the rate, the latencies, what was lost."""
    count = "SELECT count(*) FROM visits"
    before = _count(python, db, count, env)
    procs = [
        subprocess.Popen([str(python), "-c", WRITER, db, enterprises[i % len(enterprises)], str(writes)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for i in range(n)
    ]  # fmt: skip
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=3600)
        if p.returncode:
            raise RuntimeError(f"a writer failed: {err.strip()[-500:]}")
        results.append(json.loads(out))
    start, end = min(r["start"] for r in results), max(r["end"] for r in results)
    took = sorted(t for r in results for t in r["took"])
    held = [t for r in results for t in r["held"]]
    failures = [f for r in results for f in r["failures"]]
    after = _count(python, db, count, env)
    return {  # (each writer logged one more visit before the start: its warm-up)
        "visits": n * writes,
        "seconds": end - start,
        "per_s": n * writes / (end - start),
        "median_ms": statistics.median(took) * 1000,
        "p90_ms": took[int(0.9 * (len(took) - 1))] * 1000,
        "held_ms": statistics.median(held) * 1000,  # the write lock, per write
        "held_share": sum(held) / (end - start),  # of the time, how much the lock was held
        "failures": failures,
        "lost": n * (writes + 1) - len(failures) - (after - before),
    }


def _count(python: Path, db: str, sql: str, env: dict) -> int:
    code = (
        "import sys; from servicedesk.store import Store; s = Store(sys.argv[1], read_only=True);"
        "print(s.value(sys.argv[2])); s.close()"
    )
    done = subprocess.run([str(python), "-c", code, db, sql], capture_output=True, text=True, env=env, check=True)
    return int(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parks", nargs="+", default=["10k"], choices=list(PARKS))
    parser.add_argument("--runs", type=int, default=7, help="timed rounds of the three commands (0: none)")
    parser.add_argument("--writers", type=int, default=20, help="writers at once (0: none)")
    parser.add_argument("--writes", type=int, default=10, help="visit logs per writer")
    parser.add_argument("--check-weeks", default="12", help="weeks compared between file and copy: N or all")
    parser.add_argument("--parks-dir", type=Path, default=Path("/tmp/servicedesk-bench-parks"))
    parser.add_argument("--venv", type=Path, default=Path("/tmp/servicedesk-bench-pg-venv"))
    parser.add_argument("--no-install", action="store_true", help="reuse the venv's servicedesk as installed")
    parser.add_argument("--rebuild", action="store_true", help="copy the parks onto the server again")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    options = parser.parse_args()
    env = child_env()
    python = install(options.venv, options.no_install, extras="postgres")
    info = probe(python, env)
    say(f"servicedesk {info['servicedesk']} · python {info['python']} · sqlite {info['sqlite']} · "
        f"{os.cpu_count()} cores · load {os.getloadavg()[0]:.2f}")  # fmt: skip
    options.parks_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.Server(pgserver.bindir(), options.parks_dir / "pg", durable=True)
    folder = Path(tempfile.mkdtemp(prefix="servicedesk-pgbench-", dir=options.parks_dir))
    figures: dict = {"info": info, "parks": {}, "commands": [], "writers": {}}
    try:
        parks, urls = {}, {}
        for name in options.parks:
            parks[name] = ensure_park(name, options.venv / "bin" / "servicedesk", options.parks_dir, info["schema"],
                                      False, env)  # fmt: skip
            meta = pg_park(server, name, parks[name], python, env, options.rebuild, options.parks_dir)
            urls[name] = meta["url"]
            figures["parks"][name] = {"file": parks[name], "pg": meta}
            when = f"cached, copied {meta['copied_on']}" if meta["cached"] else "copied now"
            say(f"{name}: file {parks[name]['mib']:,.0f} MiB built by demo in {parks[name]['build_s']:.0f} s; "
                f"copy onto PostgreSQL {meta['copy_s']:.0f} s wall, {meta['copy_cpu_s']:.0f} s CPU, "
                f"{meta['copy_peak_mib']:.0f} MiB peak, {meta['mib']:,.0f} MiB on the server ({when})")  # fmt: skip
            weeks = weeks_to_check(parks[name], options.check_weeks)
            started = time.perf_counter()
            compared, differ = compare_weeks(python, parks[name]["db"], urls[name], weeks, env)
            figures["parks"][name]["weeks_compared"], figures["parks"][name]["weeks_differ"] = compared, differ
            say(f"{name}: weekly reports compared for {compared} weeks ({weeks[-1]} … {weeks[0]}): "
                f"{'identical' if not differ else 'DIFFER: ' + ', '.join(differ)} "
                f"({time.perf_counter() - started:.0f} s)")  # fmt: skip

        scratch = {n: scratch_copies(server, n, parks[n], urls[n], folder) for n in options.parks}
        if options.runs:
            results = []
            for name in options.parks:
                dbs = {"sqlite": parks[name]["db"], "pg": urls[name]}
                for label, args in COMMANDS.items():
                    for backend in ("sqlite", "pg"):
                        db = scratch[name][backend] if label == "visit log" else dbs[backend]
                        argv = [parks[name]["enterprise_name"] if a == "E" else a for a in args]
                        results.append(Result(f"{name}/{backend}", label, [str(python), "-m", "servicedesk", "--db",
                                                                            db, *argv]))  # fmt: skip
            say(f"\ntiming: {len(results)} commands × {options.runs} rounds, shuffled, after one warm-up each "
                f"(load {os.getloadavg()[0]:.2f})")  # fmt: skip
            measure(results, options.runs, env, random.Random(1))
            by = {(r.park, r.command): r for r in results}
            say("(median wall ms of the rounds; cpu: the servicedesk process's own, the server's not in it)")
            say(f"\n{'park':6} {'command':28} {'SQLite ms':>10} {'PG ms':>8} {'PG/SQLite':>9}   "
                f"{'cpu SQLite':>10} {'cpu PG':>7}  {'peak MiB SQLite / PG':>20}")  # fmt: skip
            for name in options.parks:
                for label in COMMANDS:
                    a, b = by[(f"{name}/sqlite", label)], by[(f"{name}/pg", label)]
                    if a.error or b.error:
                        say(f"{name:6} {label:28} ERROR {a.error or ''} {b.error or ''}")
                        continue
                    say(f"{name:6} {label:28} {a.median_ms:10.0f} {b.median_ms:8.0f} {b.median_ms / a.median_ms:8.2f}×"
                        f"   {a.cpu_ms:10.0f} {b.cpu_ms:7.0f}  {a.peak_mib:9.0f} / {b.peak_mib:<8.0f}")  # fmt: skip
                    figures["commands"].append({"park": name, "command": label, "sqlite_ms": a.median_ms,
                                                "pg_ms": b.median_ms, "sqlite_cpu_ms": a.cpu_ms, "pg_cpu_ms": b.cpu_ms,
                                                "sqlite_mib": a.peak_mib, "pg_mib": b.peak_mib,
                                                "sqlite_walls": a.walls, "pg_walls": b.walls})  # fmt: skip
            pairs = [(options.parks[0], big) for big in options.parks[1:]]
            pairs += [(a, b) for a, b in zip(options.parks[1:], options.parks[2:], strict=False)]
            for small, big in pairs:  # (the 10k park has 5 weeks of history, the others 52 and 520)
                say(f"\nflat in history, {big} over {small} (budget on PostgreSQL, 1M over 10k: ≤ 1.2×):")
                for label in COMMANDS:
                    line = []
                    for backend in ("sqlite", "pg"):
                        a, b = by[(f"{small}/{backend}", label)], by[(f"{big}/{backend}", label)]
                        line.append(f"{backend} {b.median_ms / a.median_ms:.2f}× (cpu {b.cpu_ms / a.cpu_ms:.2f}×)")
                    say(f"  {label:28} " + "   ".join(line))
        if options.writers:
            for name in options.parks:
                enterprises = [parks[name]["enterprise_name"]]
                names = json.loads(run(python, parks[name]["db"], "enterprise", "list", "--format", "json",
                                       env=env).stdout)  # fmt: skip
                enterprises = [e["name"] for e in names[: options.writers]] or enterprises
                say(f"\n{name}: {options.writers} writers at once, {options.writes} visit logs each "
                    f"(load {os.getloadavg()[0]:.2f})")  # fmt: skip
                for backend in ("sqlite", "pg"):
                    got = writers(python, scratch[name][backend], enterprises, options.writers, options.writes, env)
                    figures["writers"][f"{name}/{backend}"] = got
                    say(f"  {backend:6}: {got['visits']} visits in {got['seconds']:.1f} s = {got['per_s']:.1f}/s; "
                        f"each {got['median_ms']:.0f} ms median, {got['p90_ms']:.0f} ms p90; "
                        f"{len(got['failures'])} refused, {got['lost']} lost; the write lock held "
                        f"{got['held_ms']:.0f} ms a visit ({got['held_share']:.0%} of the time)")  # fmt: skip
                    for failure in got["failures"][:3]:
                        say(f"    refused: {failure}")
    finally:
        for name in options.parks:
            server.drop(f"scratch_{name.lower()}")
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    say(f"\nload average (1 min) at the end: {os.getloadavg()[0]:.2f}")
    if options.json:
        options.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
