"""The long fuzz run: random command lines (tests/fuzzing.py) over a small park, in process
and as real processes, counting tracebacks and every other broken promise.

    .venv/bin/python bench/fuzz.py                       # 10,000 in process, 300 as processes
    .venv/bin/python bench/fuzz.py --vectors 50000 --processes 1000 --seed 7
    .venv/bin/python bench/fuzz.py --postgres            # the park on a PostgreSQL server

With --postgres the park is a database on a server the run starts (tests/pgserver.py),
made again from its template after any change; a change is seen in the rows of every
ledger table (their counts and largest ids), where the file's bytes are compared.

In process, each vector runs through Typer's CliRunner; the real processes replay a
sample of the same vectors with `python -m servicedesk`, their surrogates turned back into
the raw bytes a GBK terminal sends. Prints the figures, then each distinct problem once
with a command line that reproduces it. Exit 1 when anything was found.
"""

import argparse
import collections
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import pgserver  # noqa: E402
from fuzzing import Playground, argv, commands, problem, shell  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from servicedesk.cli import app  # noqa: E402


def _passable(words: list[str]) -> bool:
    """Whether a real process can be given these words: no NUL, and no surrogate that no
    byte stands for (only \udc80-\udcff are a terminal's raw bytes)."""
    try:
        return not any("\0" in os.fsencode(w).decode("utf-8", "surrogateescape") for w in words)
    except UnicodeEncodeError:
        return False


class ServerPlayground(Playground):
    """The park as a database on a server: reset from a template database, fingerprinted by its rows."""

    def __init__(self, folder: Path, server, template: str):
        self.server, self.template_db = server, template
        self.url = server.url("play")
        super().__init__(folder, Path("unused"))
        self.paths[self.paths.index(str(self.db))] = self.url
        self.db = self.url

    def reset(self) -> None:
        self.server.replace("play", self.template_db)
        for stale in (self.out, self.folder / "nowhere"):
            shutil.rmtree(stale, ignore_errors=True)
        self.out.mkdir()
        self.before = self.fingerprint()

    def fingerprint(self) -> str:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )]  # fmt: skip
            sums = []
            for table in tables:
                columns = {r[0] for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,)
                )}  # fmt: skip
                top = "max(id)" if "id" in columns else "NULL"
                sums.append(conn.execute(f'SELECT count(*), {top} FROM "{table}"').fetchone())
            return repr(list(zip(tables, sums, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=10_000, help="command lines run in process")
    parser.add_argument("--processes", type=int, default=300, help="of those, how many to replay as processes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", action="store_true", help="fuzz a park on a PostgreSQL server")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="servicedesk-fuzz-"))
    os.chdir(folder)  # whatever a vector writes lands here, never in the checkout
    os.environ.update({"HOME": str(folder / "home"), "XDG_DATA_HOME": str(folder / "home" / "data")})
    os.environ.pop("SERVICEDESK_OFFICER", None)
    runner = CliRunner()
    server = None
    if args.postgres:
        server = pgserver.Server(pgserver.bindir())
        server.admin.execute("CREATE DATABASE template_park")
        template = server.url("template_park")
    else:
        template = folder / "template.db"
    built = runner.invoke(app, ["--db", str(template), "demo", "--enterprises", "8", "--weeks", "2"])
    assert built.exit_code == 0, built.output
    play = (
        ServerPlayground(folder / "play", server, "template_park") if server else Playground(folder / "play", template)
    )
    tree = commands()
    env = {"SERVICEDESK_DB": str(play.db), "SERVICEDESK_OFFICER": None, "COLUMNS": "100"}

    vectors: list[list[str]] = []
    exits: collections.Counter = collections.Counter()
    found: dict[str, tuple[str, int]] = {}  # problem → (a reproduction, how often)

    def record(what: str | None, words: list[str]) -> None:
        if what:
            key = what.split(" at 0x")[0][:160]
            repro, count = found.get(key, (shell(words), 0))
            found[key] = (repro, count + 1)

    @seed(args.seed)
    @settings(
        max_examples=args.vectors,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def in_process(data):
        words = data.draw(argv(tree, play.paths, play.dbs))
        vectors.append(words)
        result = runner.invoke(app, words, env=env, catch_exceptions=True)
        changed = play.fingerprint() != play.before
        exits[result.exit_code] += 1
        record(problem(result.exit_code, result.stderr, result.exception, changed), words)
        if changed:
            play.reset()

    start = time.monotonic()
    in_process()
    in_process_s = time.monotonic() - start
    tracebacks_in_process = sum(n for k, (_, n) in found.items() if k.startswith("traceback"))
    problems_in_process = sum(n for _, n in found.values())
    print(
        f"in process: {len(vectors):,} vectors in {in_process_s:.0f} s, {tracebacks_in_process} tracebacks", flush=True
    )

    passable = [v for v in vectors if _passable(v)]
    sample = random.Random(args.seed).sample(passable, min(args.processes, len(passable)))
    process_env = {**os.environ, "SERVICEDESK_DB": str(play.db), "COLUMNS": "100"}
    start = time.monotonic()
    for words in sample:
        result = subprocess.run(
            [sys.executable, "-m", "servicedesk", *(os.fsencode(w) for w in words)],
            capture_output=True,
            env=process_env,
            timeout=300,
        )
        changed = play.fingerprint() != play.before
        exits[f"process {result.returncode}"] += 1
        stderr = result.stderr.decode("utf-8", "backslashreplace")
        record(problem(result.returncode, stderr, None, changed), words)
        if changed:
            play.reset()
    process_s = time.monotonic() - start
    tracebacks = sum(n for k, (_, n) in found.items() if k.startswith("traceback"))

    print(f"processes:  {len(sample):,} vectors in {process_s:.0f} s, {tracebacks - tracebacks_in_process} tracebacks")
    print(f"problems:   {sum(n for _, n in found.values())} ({problems_in_process} in process), {len(found)} distinct")
    print("exits:      " + ", ".join(f"{k}: {v}" for k, v in sorted(exits.items(), key=str)))
    for what, (repro, count) in sorted(found.items(), key=lambda kv: -kv[1][1]):
        print(f"\n× {count}  {what}\n    {repro}")
    os.chdir("/")
    shutil.rmtree(folder, ignore_errors=True)
    if server is not None:
        server.stop()
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
