"""Imports and their undo, timed on a demo park's own export.

Not a test: it prints figures. It uses the venv and the cached parks of bench/bench.py
(run that first, or pass --venv with servicedesk installed), exports one park, imports
the export into a new ledger in the order `export` prescribes, then undoes the ticket
import, and times `sqlite-utils insert --csv` of the same tickets.csv beside it.

    python bench/imports.py                    # the 100k park
    python bench/imports.py --park 10k
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench import MIB, PARKS, child_env, ensure_park, install, probe, say  # noqa: E402

ORDER = ("officer", "enterprise", "visit", "ticket")


def run(argv: list[str], env: dict) -> tuple[float, float, str]:
    """Like timed(), with the child's own peak RSS from wait4."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = child.stdout.read()
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"failed: {' '.join(argv)}\n{err.decode(errors='replace')[-500:]}")
    return wall, usage.ru_maxrss / MIB, out.decode(errors="replace")


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
        out, db = Path(tmp) / "export", str(Path(tmp) / "imported.db")
        wall, _, _ = run([sd, "--db", meta["db"], "export", str(out)], env)
        say(f"{args.park} park: {meta['tickets']:,} tickets; export in {wall:.1f} s")
        rows = {}
        for kind in ORDER:
            csv = out / f"{kind}s.csv"
            with csv.open(encoding="utf-8") as f:
                rows[kind] = sum(1 for _ in f) - 1
            wall, rss, _ = run([sd, "--db", db, "--as", "bench", kind, "import", str(csv)], env)
            say(f"  {kind} import: {rows[kind]:>9,} rows in {wall:6.2f} s = {rows[kind] / wall:>8,.0f} rows/s, "
                f"peak {rss:5.0f} MiB")  # fmt: skip
            if kind == "ticket":
                ticket_wall = wall
        wall, rss, _ = run([sd, "--db", db, "--as", "bench", "ticket", "import", str(out / "tickets.csv")], env)
        say(f"  ticket import again (all present): {wall:.2f} s, peak {rss:.0f} MiB")
        shutil.copyfile(db, f"{db}.before-undo")
        wall, rss, said = run([sd, "--db", db, "--as", "bench", "undo"], env)
        first = said.strip().splitlines()[0] if said.strip() else ""
        say(f"  undo of the ticket import: {wall:.2f} s = {wall / ticket_wall:.2f}× the import "
            f"(budget ≤ 2×), peak {rss:.0f} MiB — {first}")  # fmt: skip
        utils = shutil.which("sqlite-utils", path=str(args.venv / "bin"))
        if utils:
            plain = str(Path(tmp) / "plain.db")
            wall, rss, _ = run([utils, "insert", plain, "tickets", str(out / "tickets.csv"), "--csv"], env)
            say(f"  sqlite-utils insert --csv of tickets.csv: {wall:.2f} s = {rows['ticket'] / wall:,.0f} rows/s, "
                f"peak {rss:.0f} MiB; servicedesk's ticket import takes {ticket_wall / wall:.2f}× as long")  # fmt: skip


if __name__ == "__main__":
    main()
