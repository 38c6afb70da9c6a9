"""Every command has help, and the package runs as `python -m servicedesk`."""

import contextlib
import importlib
import inspect
import io
import pkgutil
import subprocess
import sys

import pytest
import typer
from helpers import services
from typer.testing import CliRunner

import servicedesk.cli
from servicedesk import __version__
from servicedesk.cli import SUBCOMMANDS, VERBS, app


def command_paths(command, prefix=()):
    """Every command and sub-command as a tuple of names, the root included."""
    yield prefix
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        for name in sorted(command.list_commands(ctx)):
            yield from command_paths(command.get_command(ctx, name), (*prefix, name))


def registered(module: str) -> typer.Typer:
    """The commands a cli module's register() adds to the root, on an app of their own."""
    verbs = typer.Typer()
    importlib.import_module(f"servicedesk.cli.{module}").register(verbs)
    return verbs


def written_help() -> dict[tuple, str]:
    """What each command's help should say, read from where it is written (the functions'
    docstrings, the noun groups' lines in SUBCOMMANDS), not from the Click tree under test."""

    def commands(typer_app, prefix):
        for info in typer_app.registered_commands:
            name = info.name or info.callback.__name__.replace("_", "-")
            yield (*prefix, name), info.callback.__doc__

    written = {(): app.registered_callback.callback.__doc__}
    for module in dict.fromkeys(module for module, _line in VERBS.values()):
        written.update(commands(registered(module), ()))
    for noun, (module, attribute, line) in SUBCOMMANDS.items():
        written[(noun,)] = line
        written.update(commands(getattr(importlib.import_module(f"servicedesk.cli.{module}"), attribute), (noun,)))
    return written


PATHS = list(command_paths(typer.main.get_command(app)))
WRITTEN = written_help()
ROOT_EXAMPLES = [
    'servicedesk visit log 天能 --problem "用工:缺焊工20人"',
    'servicedesk ticket close 12 --resolution "专场招聘，已招到18人"',
    "servicedesk report weekly --week last --output 周报.xlsx",
]


def examples(doc: str) -> list[list[str]]:
    """The words of each `Example: servicedesk …` in a docstring, global options left out."""
    found = []
    for line in doc.splitlines():
        if "Example: servicedesk " in line:
            words = line.split("Example: servicedesk ", 1)[1].split()
            while words[:1] in (["--db"], ["--as"]):
                words = words[2:]
            found.append(words)
    return found


def squeezed(text: str) -> str:
    """Without any whitespace: help is wrapped to the terminal, anywhere in a line."""
    return "".join(text.split())


def test_the_tree_has_the_commands_of_the_contract():
    names = {" ".join(p) for p in PATHS}
    expected = {
        "enterprise add", "enterprise list", "enterprise show", "enterprise edit", "enterprise archive",
        "officer add", "officer list", "officer show", "officer edit", "officer archive",
        "assign", "unassign",
        "visit log", "visit list", "visit missing",
        "ticket open", "ticket list", "ticket show", "ticket note", "ticket start", "ticket assign",
        "ticket refer", "ticket close", "ticket reopen",
        "feedback add", "feedback list",
        "category list", "category add",
        "info",
    }  # fmt: skip
    assert expected <= names


def test_every_written_command_is_in_the_tree_and_nothing_else():
    assert sorted(PATHS) == sorted(WRITTEN)
    assert all(WRITTEN[path] and WRITTEN[path].strip() for path in PATHS)


def test_every_verb_a_cli_module_registers_is_in_VERBS():
    # The root loads a module only for a name in VERBS: a command left out would be unreachable.
    modules = [m.name for m in pkgutil.iter_modules(servicedesk.cli.__path__)]
    registering = {m for m in modules if hasattr(importlib.import_module(f"servicedesk.cli.{m}"), "register")}
    assert registering == {module for module, _line in VERBS.values()}
    for module in registering:
        for info in registered(module).registered_commands:
            assert info.name in VERBS, f"cli/{module}.py registers `{info.name}`: add it to VERBS in cli/__init__.py"


def test_the_root_lists_each_verb_by_the_first_paragraph_of_its_docstring():
    # What Typer's rich help shows of a command in its parent's list (line breaks kept).
    for module in dict.fromkeys(module for module, _line in VERBS.values()):
        for info in registered(module).registered_commands:
            assert VERBS[info.name] == (module, inspect.cleandoc(info.callback.__doc__).split("\n\n")[0])


def root_help(*, load: bool, width: int, terminal: bool) -> str:
    """The root --help of a new Click tree, before any command is loaded or after all are."""
    import typer.rich_utils

    root = typer.main.get_command(app)
    ctx = typer.Context(root, info_name="servicedesk")
    if load:
        for name in root.list_commands(ctx):
            root.get_command(ctx, name)
    saved = typer.rich_utils.MAX_WIDTH, typer.rich_utils.FORCE_TERMINAL
    typer.rich_utils.MAX_WIDTH, typer.rich_utils.FORCE_TERMINAL = width, terminal
    try:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            root.get_help(ctx)
    finally:
        typer.rich_utils.MAX_WIDTH, typer.rich_utils.FORCE_TERMINAL = saved
    return out.getvalue()


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
@pytest.mark.parametrize("width", [40, 80, 132])
def test_the_root_help_is_the_same_before_its_commands_are_loaded(width, terminal):
    # The root --help lists the nouns and verbs from SUBCOMMANDS and VERBS without importing
    # their modules: it must read exactly as Typer's own listing of the loaded commands.
    listed = root_help(load=False, width=width, terminal=terminal)
    assert listed == root_help(load=True, width=width, terminal=terminal)
    assert "agenda" in listed and "serve" in listed


@pytest.mark.parametrize(
    ("typed", "meant"), [("agnda", "'agenda'"), ("tiket", "'ticket'"), ("servce", "'service', 'serve'")]
)
def test_a_mistyped_command_is_told_the_near_ones(typed, meant):
    # Typer suggests from the commands it has loaded, and a new process has loaded none.
    result = subprocess.run([sys.executable, "-m", "servicedesk", typed], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"No such command {typed!r}. Did you mean {meant}" in " ".join(result.stderr.replace("│", " ").split())


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "servicedesk")
def test_every_command_has_help(path, db):
    result = CliRunner().invoke(app, [*path, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # The usage line names this command: `Usage: PROG ticket open [OPTIONS] …`.
    usage = next(line for line in result.stdout.splitlines() if line.strip()).split()
    assert usage[0] == "Usage:" and usage[2 : 3 + len(path)] == [*path, "[OPTIONS]"], usage
    written = (WRITTEN[path] or "").strip()
    assert written, f"`{' '.join(path)}` has no docstring to show"
    assert squeezed(written.splitlines()[0]) in squeezed(result.stdout)
    # Its example, if it gives one, runs this very command (not one it was copied from).
    for words in examples(written):
        assert words[: len(path)] == list(path), words
        assert squeezed(" ".join(words)) in squeezed(result.stdout)
    if path == ():
        shown = [" ".join(line.split()) for line in result.stdout.splitlines()]
        assert all(example in shown for example in ROOT_EXAMPLES), result.stdout
    assert not db.exists()  # help never opens the database


# Real processes: what runs is `python -m servicedesk`, its __main__ and main().


def test_python_dash_m_servicedesk_prints_the_version():
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"servicedesk {__version__}"


def test_python_dash_m_servicedesk_runs_a_command(tmp_path):
    db = tmp_path / "m.db"
    with services(db) as p:
        p.enterprise("天能电池")
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk", "--db", str(db), "enterprise", "show", "天然"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == 'error: no enterprise matches "天然"; did you mean 天能电池?'
