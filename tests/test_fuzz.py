"""The CLI driven in process with random command lines over a small park (fuzzing.py):
no traceback, exit 0, 1 or 2 only, and a command that fails leaves the ledger as it was.

Bounded to a few seconds and derandomized here, so CI is steady; `bench/fuzz.py` is the
long run, in process and as real processes.
"""

import os

import pytest
from fuzzing import Playground, argv, commands, problem, shell
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from servicedesk.cli import app

TREE = commands()
RUNNER = CliRunner()


@pytest.fixture(scope="module")
def playground(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    template = folder / "template.db"
    result = RUNNER.invoke(app, ["--db", str(template), "demo", "--enterprises", "8", "--weeks", "2"])
    assert result.exit_code == 0, result.output
    home = os.getcwd()
    os.chdir(folder)  # whatever a vector writes lands here, never in the checkout
    yield Playground(folder / "play", template)
    os.chdir(home)


def test_every_command_is_fuzzed():
    assert {("ticket", "note"), ("report", "weekly"), ("backup",), ("enterprise", "import")} <= set(TREE)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_command_lines_end_cleanly_and_a_failure_changes_nothing(playground, data):
    words = data.draw(argv(TREE, playground.paths, playground.dbs), label="argv")
    env = {"SERVICEDESK_DB": str(playground.db), "SERVICEDESK_OFFICER": None, "COLUMNS": "100"}
    result = RUNNER.invoke(app, words, env=env, catch_exceptions=True)
    changed = playground.fingerprint() != playground.before
    found = problem(result.exit_code, result.stderr, result.exception, changed)
    if changed:
        playground.reset()
    assert found is None, f"{found}\n{shell(words)}"
