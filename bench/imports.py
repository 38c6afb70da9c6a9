"""Imports and their undo, timed on a demo park's own export.

Not a test: it prints figures. It uses the venv and the cached parks of bench/bench.py
(run that first, or pass --venv with servicedesk installed), exports one park, imports
the export into a new ledger in the order `export` prescribes, then undoes the ticket
import, and times `sqlite-utils insert --csv` of the same tickets.csv beside it.

Two ticket files are timed: the export itself (three rows in four carry a `history`
cell, replayed and checked) and the same rows without that column, as an office's own
ledger (问题台账) has them. Each is imported into a copy of the ledger the officers,
enterprises and visits went into, and inserted by sqlite-utils into an empty file.
Figures are wall time and CPU time (user + system, from wait4): on a shared machine the
CPU time is the steadier yardstick, and the ratio to sqlite-utils is given for both.

    python bench/imports.py                    # the 100k park
    python bench/imports.py --park 10k
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench import MIB, PARKS, child_env, ensure_park, install, probe, say  # noqa: E402

ORDER = ("officer", "enterprise", "visit", "ticket")


class Run(NamedTuple):
    wall: float
    cpu: float
    rss: float
    out: str


def run(argv: list[str], env: dict) -> Run:
    """Like timed(), with the child's own CPU time and peak RSS from wait4."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = child.stdout.read()
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"failed: {' '.join(argv)}\n{err.decode(errors='replace')[-500:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / MIB, out.decode(errors="replace"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", type=Path, default=Path("/tmp/servicedesk-bench-venv"))
    parser.add_argument("--parks-dir", type=Path, default=Path("/tmp/servicedesk-bench-parks"))
    parser.add_argument("--park", default="100k", choices=[n for n in PARKS if n != "demo"])
    parser.add_argument("--no-install", action="store_true", help="reuse the venv's servicedesk as installed")
    args = parser.parse_args()
    env = {**child_env(), "SERVICEDESK_LANG": "en"}
    python = install(args.venv, args.no_install)
    sd = str(args.venv / "bin" / "servicedesk")
    info = probe(python, env)
    args.parks_dir.mkdir(parents=True, exist_ok=True)
    meta = ensure_park(args.park, Path(sd), args.parks_dir, info["schema"], False, env)
    with tempfile.TemporaryDirectory(prefix="servicedesk-imports-") as tmp:
        out, base = Path(tmp) / "export", str(Path(tmp) / "base.db")
        took = run([sd, "--db", meta["db"], "export", str(out)], env)
        say(f"{args.park} park: {meta['tickets']:,} tickets; export in {took.wall:.1f} s")
        for kind in ORDER[:-1]:
            took = run([sd, "--db", base, "--as", "bench", kind, "import", str(out / f"{kind}s.csv")], env)
            say(f"  {kind} import: {line(took, count_rows(out / f'{kind}s.csv'))}")
        plain = Path(tmp) / "ledger.csv"
        count = without_history(out / "tickets.csv", plain)
        utils = shutil.which("sqlite-utils", path=str(args.venv / "bin"))
        for name, csv in (("tickets.csv (the export, with history)", out / "tickets.csv"),
                          ("ledger.csv (no history column)", plain)):  # fmt: skip
            db = str(Path(tmp) / f"{csv.stem}.db")
            shutil.copyfile(base, db)
            ours = run([sd, "--db", db, "--as", "bench", "ticket", "import", str(csv)], env)
            say(f"  ticket import of {name}: {line(ours, count)}")
            if utils:
                theirs = run(
                    [utils, "insert", str(Path(tmp) / f"{csv.stem}-utils.db"), "tickets", str(csv), "--csv"], env
                )
                say(f"    sqlite-utils insert --csv of the same file: {line(theirs, count)}")
                say(f"    servicedesk takes {ours.wall / theirs.wall:.2f}× sqlite-utils' wall time, "
                    f"{ours.cpu / theirs.cpu:.2f}× its CPU time (budget < 1×)")  # fmt: skip
            if csv == plain:
                continue
            again = run([sd, "--db", db, "--as", "bench", "ticket", "import", str(csv)], env)
            say(f"  ticket import again (all present): {again.wall:.2f} s, peak {again.rss:.0f} MiB")
            undo = run([sd, "--db", db, "--as", "bench", "undo"], env)
            first = undo.out.strip().splitlines()[0] if undo.out.strip() else ""
            say(f"  undo of the ticket import: {undo.wall:.2f} s = {undo.wall / ours.wall:.2f}× the import "
                f"(budget ≤ 2×), peak {undo.rss:.0f} MiB — {first}")  # fmt: skip


def line(took: Run, rows: int) -> str:
    return (f"{rows:,} rows in {took.wall:.2f} s = {rows / took.wall:,.0f} rows/s "
            f"(CPU {took.cpu:.2f} s = {rows / took.cpu:,.0f} rows/s), peak {took.rss:.0f} MiB")  # fmt: skip


def count_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def without_history(source: Path, target: Path) -> int:
    """The export's tickets without the `history` column (an office's ledger); its row count."""
    with source.open(encoding="utf-8-sig", newline="") as f, target.open("w", encoding="utf-8", newline="") as g:
        reader, writer = csv.reader(f), csv.writer(g)
        header = next(reader)
        keep = [i for i, name in enumerate(header) if name != "history"]
        writer.writerow([header[i] for i in keep])
        count = 0
        for row in reader:
            writer.writerow([row[i] for i in keep])
            count += 1
    return count


if __name__ == "__main__":
    main()
