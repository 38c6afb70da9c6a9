"""Benchmark servicedesk against bare Typer floors on demo parks from 92 to ~1M tickets.

Not a test (pytest never collects it): it prints figures. It installs the working tree
into its own venv with a regular `pip install` (an editable install adds an import
finder that users do not pay for), builds demo parks with `servicedesk demo` (cached
between runs), and times each command as a subprocess, interleaved with the floors
(bench/floor_help.py, bench/floor_list.py) run by the same interpreter in the same rounds.

    /work/venv/bin/python bench/bench.py            # full run: ~3 min, plus ~2 min to build the 1M park once
    /work/venv/bin/python bench/bench.py --quick     # 5 runs, no 1M park
"""

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
MIB = 1024  # ru_maxrss is in KiB on Linux

# The large parks share 2,000 enterprises and ~1,900 problems a week with 1,500 left
# open, so that only the length of the history differs between 10k, 100k and 1M.
LARGE = ["--enterprises", "2000", "--open", "1500"]
PARKS = {
    "demo": [],
    "10k": [*LARGE, "--weeks", "5", "--problems", "10000"],
    "100k": [*LARGE, "--weeks", "52", "--problems", "100000"],
    "1M": [*LARGE, "--weeks", "520", "--problems", "1000000"],
}

HELP, FLOOR_HELP, FLOOR_LIST = "--help", "floor_help --help", "floor_list (20 rows)"
LIST, LIST_OPEN, LIST_50 = "ticket list", "ticket list --status open", "ticket list --status open --limit 50"
VISIT, WEEKLY, TREND = 'visit log E --note x --problem "用工:x" --again', "report weekly --week last", "report trend"
DEPARTMENTS = "report departments"
COMMANDS = (LIST, LIST_OPEN, LIST_50, VISIT, WEEKLY, DEPARTMENTS, TREND)
FLOOR_OF = {HELP: FLOOR_HELP, **dict.fromkeys(COMMANDS, FLOOR_LIST)}

# (park, command) → budgets: ("ratio", ×floor), ("ms", median), ("MiB", peak RSS).
BUDGETS = {
    ("demo", HELP): [("ratio", 1.10)],
    ("demo", LIST): [("ratio", 1.15)],
    ("demo", LIST_OPEN): [("ratio", 1.15)],
    ("demo", LIST_50): [("ratio", 1.15)],
    ("demo", WEEKLY): [("ratio", 1.30)],
    ("1M", WEEKLY): [("ms", 300)],
    ("1M", LIST_50): [("ratio", 1.15)],
}
BIG_RSS_MIB = 100  # every command at 1M
FLAT = ((LIST_OPEN, 1.2), (WEEKLY, 1.2))  # 1M median / 10k median


@dataclass
class Result:
    park: str
    command: str
    argv: list[str]
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    out_bytes: int = 0
    error: str | None = None

    @property
    def median_ms(self) -> float:
        return statistics.median(self.walls) * 1000

    @property
    def min_ms(self) -> float:
        return min(self.walls) * 1000

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpus) * 1000

    @property
    def peak_mib(self) -> float:
        return max(self.rss)


def child_env() -> dict:
    env = dict(os.environ)
    # This machine sets PYTHONDONTWRITEBYTECODE=1, which would recompile on every run.
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME", "SERVICEDESK_DB", "SERVICEDESK_OFFICER"):
        env.pop(name, None)
    return env


def say(text: str = "") -> None:
    print(text, flush=True)


def install(venv: Path, skip: bool, extras: str = "") -> Path:
    """The venv's python, with a fresh regular install of a snapshot of the working tree
    (and its optional `extras`, as "postgres")."""
    python = venv / "bin" / "python"
    if not python.exists():
        say(f"creating {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    elif skip:
        return python
    # Built from a copy so that pip's in-tree build/ never lands in the shared working tree.
    with tempfile.TemporaryDirectory(prefix="servicedesk-src-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(REPO / name, src / name)
        shutil.copytree(REPO / "servicedesk", src / "servicedesk", ignore=shutil.ignore_patterns("__pycache__"))
        started = time.perf_counter()
        done = subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                f"{src}[{extras}]" if extras else str(src),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"pip install failed:\n{done.stdout}{done.stderr}")
    say(f"installed the working tree into {venv} ({time.perf_counter() - started:.0f} s)")
    return python


def probe(python: Path, env: dict) -> dict:
    code = (
        "import json, sqlite3, sys, importlib.metadata as m; from servicedesk.migrations import SCHEMA_VERSION as s;"
        "v = lambda n: m.version(n) if n in {d.metadata['Name'].lower() for d in m.distributions()} else None;"
        "print(json.dumps({'python': sys.version.split()[0], 'sqlite': sqlite3.sqlite_version, 'schema': s,"
        "**{n: v(n) for n in ('servicedesk', 'typer', 'rich', 'pydantic', 'sqlite-utils')}}))"
    )
    return json.loads(subprocess.run([str(python), "-c", code], env=env, capture_output=True, check=True).stdout)


def git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "servicedesk"], cwd=REPO, capture_output=True, text=True
        )
    except OSError:
        return "unknown commit"
    if head.returncode:
        return "not a git checkout"
    return head.stdout.strip() + (" + uncommitted changes in servicedesk/" if dirty.stdout.strip() else "")


def connect_ro(db: Path) -> sqlite3.Connection:
    # immutable: no -wal beside it, so nothing needs locking and nothing is created.
    busy = db.with_name(db.name + "-wal").exists()
    return sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro{'' if busy else '&immutable=1'}", uri=True)


def park_counts(db: Path) -> dict:
    conn = connect_ro(db)
    try:
        q = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "enterprises": q("SELECT count(*) FROM enterprises"),
            "officers": q("SELECT count(*) FROM officers"),
            "visits": q("SELECT count(*) FROM visits"),
            "tickets": q("SELECT count(*) FROM tickets"),
            "open": q("SELECT count(*) FROM tickets WHERE status != 'closed'"),
            "events": q("SELECT count(*) FROM events"),
            "schema": q("PRAGMA user_version"),
            "enterprise_name": q("SELECT name FROM enterprises ORDER BY id LIMIT 1"),
            "mib": db.stat().st_size / MIB / MIB,
        }
    finally:
        conn.close()


def ensure_park(name: str, servicedesk: Path, parks: Path, schema: int, rebuild: bool, env: dict) -> dict:
    """The park's database, rebuilt when asked, when its arguments or schema changed, or
    when it was built in another ISO week (the demo ends last week, and `--week last` moves)."""
    db, meta_path = parks / f"{name}.db", parks / f"{name}.json"
    want = {"args": PARKS[name], "week": "{}-W{:02d}".format(*date.today().isocalendar()[:2]), "schema": schema}
    if not rebuild and db.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in want.items()):
            return {**meta, "cached": True, "db": str(db)}
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    say(f"building the {name} park: servicedesk demo {' '.join(PARKS[name]) or '(defaults)'}")
    started = time.perf_counter()
    done = subprocess.run(
        [str(servicedesk), "--db", str(db), "demo", "--force", *PARKS[name]],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode:
        sys.exit(f"servicedesk demo failed for the {name} park:\n{done.stderr}")
    meta = {**want, "build_s": time.perf_counter() - started, "built_on": date.today().isoformat(), **park_counts(db)}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    return {**meta, "cached": False, "db": str(db)}


def run_once(result: Result, env: dict) -> None:
    """One timed run, output to /dev/null; wall time, CPU time and peak RSS of that child alone."""
    started = time.perf_counter()
    child = subprocess.Popen(
        result.argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        result.error = f"exit {child.returncode} in a timed run"
    result.walls.append(wall)
    result.cpus.append(usage.ru_utime + usage.ru_stime)
    result.rss.append(usage.ru_maxrss / MIB)


def warm_up(result: Result, env: dict) -> None:
    """Writes the .pyc files, warms the page cache, and checks the command works (output to a pipe)."""
    done = subprocess.run(result.argv, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    result.out_bytes = len(done.stdout)
    if done.returncode:
        result.error = f"exit {done.returncode}: {done.stderr.decode(errors='replace').strip()[-300:]}"


def measure(results: list[Result], runs: int, env: dict, rng: random.Random) -> None:
    """Interleaved rounds, in a shuffled order each round: load from other processes on
    the machine hits our commands and their floors alike."""
    for r in results:
        warm_up(r, env)
    live = [r for r in results if not r.error]
    for _ in range(runs):
        rng.shuffle(live)
        for r in live:
            run_once(r, env)


def verdict(wall_ok: bool, cpu_ok: bool) -> str:
    """One verdict when wall and CPU time agree; both when load on the machine splits them."""
    if wall_ok == cpu_ok:
        return "PASS" if wall_ok else "FAIL"
    return f"wall {'PASS' if wall_ok else 'FAIL'} / cpu {'PASS' if cpu_ok else 'FAIL'}"


def judge(r: Result, floor: Result | None) -> tuple[float | None, str, str]:
    """(ratio to floor, budget text, verdict or "") for one row, judged on wall and on CPU time."""
    ratio = r.median_ms / floor.median_ms if floor and floor.walls and floor is not r else None
    cpu_ratio = r.cpu_ms / floor.cpu_ms if ratio is not None else None
    budgets = list(BUDGETS.get((r.park, r.command), []))
    if r.park == "1M" and r.command in (HELP, *COMMANDS):
        budgets.append(("MiB", BIG_RSS_MIB))
    shown, wall_ok, cpu_ok = [], True, True
    for kind, limit in budgets:
        if kind == "ratio":
            shown.append(f"≤{limit:.2f}×")
            wall_ok = wall_ok and ratio is not None and ratio <= limit
            cpu_ok = cpu_ok and cpu_ratio is not None and cpu_ratio <= limit
        elif kind == "ms":
            shown.append(f"≤{limit} ms")
            wall_ok, cpu_ok = wall_ok and r.median_ms <= limit, cpu_ok and r.cpu_ms <= limit
        else:
            shown.append(f"≤{limit} MiB")
            wall_ok, cpu_ok = wall_ok and r.peak_mib <= limit, cpu_ok and r.peak_mib <= limit
    return ratio, ", ".join(shown) or "—", verdict(wall_ok, cpu_ok) if budgets else ""


def table(results: list[Result], floors: dict[str, Result], metas: dict[str, dict]) -> list[str]:
    head = (
        "park (tickets / open)",
        "command",
        "median ms",
        "min ms",
        "cpu ms",
        "peak MiB",
        "×floor",
        "cpu×floor",
        "budget",
        "",
    )
    rows = []
    for r in results:
        meta = metas[r.park]
        park = f"{r.park} ({meta['tickets']:,} / {meta['open']:,})"
        if r.error:
            rows.append((park, r.command, "ERROR", "", "", "", "", "", "(see below)", "FAIL"))
            continue
        floor = floors.get(FLOOR_HELP) if r.command == HELP else floors.get(f"{r.park}:{FLOOR_LIST}")
        floor = floor if r.command in FLOOR_OF else None
        ratio, budget, verdict = judge(r, floor)
        is_floor = r.command in (FLOOR_HELP, FLOOR_LIST)
        cpu_ratio = f"{r.cpu_ms / floor.cpu_ms:.2f}" if floor else ""
        rows.append(
            (park, r.command, f"{r.median_ms:.0f}", f"{r.min_ms:.0f}", f"{r.cpu_ms:.0f}", f"{r.peak_mib:.1f}",
             "floor" if is_floor else (f"{ratio:.2f}" if ratio else ""), "floor" if is_floor else cpu_ratio,
             budget, verdict)
        )  # fmt: skip
    widths = [max(width(str(row[i])) for row in (head, *rows)) for i in range(len(head))]
    right = {2, 3, 4, 5, 6, 7}

    def line(row) -> str:
        cells = [(" " * (w - width(str(c))) + str(c)) if i in right else (str(c) + " " * (w - width(str(c))))
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]  # fmt: skip
        return "  ".join(cells).rstrip()

    return [line(head), "  ".join("-" * w for w in widths), *map(line, rows)]


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", type=Path, default=Path("/tmp/servicedesk-bench-venv"), help="created if missing")
    parser.add_argument("--parks-dir", type=Path, default=Path("/tmp/servicedesk-bench-parks"), help="cached parks")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per command (default 15; --quick 5)")
    parser.add_argument("--quick", action="store_true", help="5 runs and no 1M park: a smoke run")
    parser.add_argument("--parks", default=None, help="comma-separated subset of " + ",".join(PARKS))
    parser.add_argument("--rebuild", action="store_true", help="rebuild the parks even if cached")
    parser.add_argument("--no-install", action="store_true", help="reuse the venv's servicedesk as installed")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    runs = args.runs or (5 if args.quick else 15)
    names = args.parks.split(",") if args.parks else [n for n in PARKS if not (args.quick and n == "1M")]
    if unknown := [n for n in names if n not in PARKS]:
        parser.error(f"unknown park {unknown}; choose from {', '.join(PARKS)}")
    env = child_env()
    started = time.perf_counter()
    python = install(args.venv, args.no_install)
    servicedesk = args.venv / "bin" / "servicedesk"
    info = probe(python, env)
    say(f"servicedesk {info['servicedesk']} @ {git_state()} · python {info['python']} · sqlite {info['sqlite']} · "
        f"typer {info['typer']} · rich {info['rich']} · pydantic {info['pydantic']} · {os.cpu_count()} cores")  # fmt: skip
    load_before = os.getloadavg()
    args.parks_dir.mkdir(parents=True, exist_ok=True)
    metas = {n: ensure_park(n, servicedesk, args.parks_dir, info["schema"], args.rebuild, env) for n in names}

    say("\nDemo parks (servicedesk demo; generator wall time):")
    for n, m in metas.items():
        when = (
            f"cached, built {m['built_on']} in {m['build_s']:.1f} s"
            if m["cached"]
            else f"built in {m['build_s']:.1f} s"
        )
        say(f"  {n:>5}: {m['tickets']:>9,} tickets ({m['open']:,} open), {m['events']:>9,} events, "
            f"{m['visits']:>9,} visits, {m['enterprises']:,} enterprises, {m['officers']} officers, "
            f"{m['mib']:,.0f} MiB — {when} · args: {' '.join(m['args']) or '(defaults)'}")  # fmt: skip

    say(f"\nMeasuring: {runs} timed runs per command after one warm-up; every park, command and floor in the")
    say("same shuffled rounds, so the load of other processes on the machine falls on all of them alike ...")
    sd, py = [str(servicedesk)], [str(python)]
    first = names[0]
    results = [
        Result(first, HELP, [*sd, "--help"]),
        Result(first, FLOOR_HELP, [*py, str(BENCH / "floor_help.py"), "--help"]),
    ]
    scratches = []
    for n in names:
        db = metas[n]["db"]
        # visit log writes: it runs on a copy, so the parks stay as built (the copy grows by runs + 1 visits).
        scratch = args.parks_dir / f"{n}-visitlog.db"
        shutil.copyfile(db, scratch)
        scratches.append(scratch)
        # --again: every timed run records the same visit, which the duplicate check would refuse.
        visit = ["visit", "log", metas[n]["enterprise_name"], "--note", "x", "--problem", "用工:x", "--again"]
        results += [
            Result(n, FLOOR_LIST, [*py, str(BENCH / "floor_list.py"), db]),
            # Plain `ticket list` (open + in progress) only on the demo park, where --status open
            # shows nothing: the park's two unclosed tickets are in progress.
            *([Result(n, LIST, [*sd, "--db", db, "ticket", "list"])] if n == "demo" else []),
            Result(n, LIST_OPEN, [*sd, "--db", db, "ticket", "list", "--status", "open"]),
            Result(n, LIST_50, [*sd, "--db", db, "ticket", "list", "--status", "open", "--limit", "50"]),
            Result(n, VISIT, [*sd, "--db", str(scratch), *visit]),
            Result(n, WEEKLY, [*sd, "--db", db, "report", "weekly", "--week", "last"]),
            Result(n, DEPARTMENTS, [*sd, "--db", db, "report", "departments"]),
            Result(n, TREND, [*sd, "--db", db, "report", "trend"]),
        ]
    measured = time.perf_counter()
    measure(results, runs, env, random.Random(1))
    for scratch in scratches:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    say(f"  {len(results)} commands × {runs + 1} runs in {time.perf_counter() - measured:.0f} s")

    floors = {f"{r.park}:{r.command}": r for r in results if r.command == FLOOR_LIST and r.walls}
    floors.update({r.command: r for r in results if r.command == FLOOR_HELP and r.walls})
    if first != "demo":  # --help is park-independent: judge it wherever it ran
        BUDGETS[(first, HELP)] = BUDGETS.pop(("demo", HELP))
    say(f"\nResults: median / min wall ms of {runs} runs, median CPU ms (user+sys), peak RSS of any run;")
    say("×floor = median / the floor's median in the same rounds (--help: floor_help; the rest: floor_list).\n")
    for line in table(results, floors, metas):
        say(line)
    for r in results:
        if r.error:
            say(f"ERROR {r.park} {r.command}: {r.error}\n  command: {' '.join(r.argv)}")

    by = {(r.park, r.command): r for r in results if r.walls and not r.error}
    say("\nFlat in history size (same 2,000 enterprises, 1,500 open): the large park over the 10k one, as")
    say("median wall, median CPU, and wall ×floor over wall ×floor (floor_list of each park):")
    big = "1M" if "1M" in names else next((n for n in reversed(names) if n not in ("10k", "demo")), None)
    for command, limit in FLAT:
        small, large = by.get(("10k", command)), by.get((big, command)) if big else None
        if not (small and large):
            say(f"  {command}: needs the 10k and 1M parks")
            continue
        wall, cpu = large.median_ms / small.median_ms, large.cpu_ms / small.cpu_ms
        floors_ratio = by[(big, FLOOR_LIST)].median_ms / by[("10k", FLOOR_LIST)].median_ms
        judged = verdict(wall <= limit, cpu <= limit) if big == "1M" else "(not 1M: no verdict)"
        say(f"  {command}: {big} {large.median_ms:.0f} ms / 10k {small.median_ms:.0f} ms = {wall:.2f}× wall, "
            f"{cpu:.2f}× CPU, {wall / floors_ratio:.2f}× floor-relative (budget ≤{limit}× at 1M) {judged}")  # fmt: skip
    if "1M" in names:
        weekly = by.get(("1M", WEEKLY))
        if weekly:
            judged = verdict(weekly.median_ms <= 300, weekly.cpu_ms <= 300)
            say(
                f"  report weekly at 1M: {weekly.median_ms:.0f} ms median, {weekly.cpu_ms:.0f} ms CPU (budget ≤300 ms) {judged}"
            )
        peak = max((r for r in results if r.park == "1M" and r.rss), key=lambda r: r.peak_mib, default=None)
        if peak:
            judged = "PASS" if peak.peak_mib <= BIG_RSS_MIB else "FAIL"
            say(f"  peak RSS at 1M: {peak.peak_mib:.1f} MiB ({peak.command}; budget ≤{BIG_RSS_MIB} MiB) {judged}")
    load_after = os.getloadavg()
    say(f"\nLoad average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f} on {os.cpu_count()} cores"
        f" · whole run {time.perf_counter() - started:.0f} s")  # fmt: skip
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "info": info,
                    "runs": runs,
                    "parks": metas,
                    "results": [
                        {
                            "park": r.park,
                            "command": r.command,
                            "walls_ms": [round(w * 1000, 1) for w in r.walls],
                            "cpu_ms": [round(c * 1000, 1) for c in r.cpus],
                            "rss_mib": r.rss,
                            "error": r.error,
                            "out_bytes": r.out_bytes,
                        }
                        for r in results
                    ],  # fmt: skip
                },
                ensure_ascii=False,
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
