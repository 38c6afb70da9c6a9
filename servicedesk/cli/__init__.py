"""The command line: parse arguments, call a service, render the result.

Only typer and the standard library are imported at module level, so `--help` stays
as cheap as a bare Typer app's; everything else is imported inside the commands.
"""

import os
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
from typer._click.exceptions import UsageError  # loaded with typer: Typer's own Click raises it
from typer.core import TyperCommand, TyperGroup

from .. import __version__


def _(message: str) -> str:
    """The catalogue's translation, imported when a message is said (not for --help)."""
    from ..i18n import _ as translated

    return translated(message)


# The noun groups: (module, attribute, help). Each is imported and turned into a Click
# group on first use; the root --help lists them from here, so it neither imports nor
# converts the ~45 commands it only names.
SUBCOMMANDS = {
    "visit": ("visits", "app", "Weekly visits to enterprises (走访)."),
    "ticket": ("tickets", "app", "Problem tickets (问题): open, chase, close."),
    "report": ("reports", "app", "The weekly report, closure rates and the trend (报表)."),
    "enterprise": ("enterprises", "app", "Enterprises and projects in the park (企业 / 项目)."),
    "officer": ("officers", "app", "Officers who visit enterprises (干部 / 首席服务员)."),
    "feedback": ("visits", "feedback_app", "Banners, letters, praise, complaints and ratings from enterprises."),
    "service": ("services", "app", "Services delivered to enterprises: diagnostics, training, passes, funds (服务)."),
    "category": ("categories", "app", "Problem categories and their time limits (问题类别)."),
    "calendar": ("calendar", "app", "Working days: holidays and make-up days (工作日)."),
}

# The one-word commands: (module whose register() adds it, the first paragraph of its
# docstring, line breaks kept, as the root --help shows it). Like the groups, a module is
# imported and its commands converted only when one of them runs; tests/test_help.py
# checks each line against its docstring.
VERBS = {
    "agenda": (
        "agenda",
        "An officer's week: assigned enterprises not visited yet this week, and their own tickets\n"
        "overdue, due soon and under supervision (督办).",
    ),
    "settings": (
        "calendar",
        "The park's settings: `park` (its name, heading the reports) and `yellow_days` (a ticket\n"
        "lights yellow this many working days before it is due; default 3).",
    ),
    "assign": ("officers", "Start looking after enterprises (包联), from --from on."),
    "unassign": ("officers", "Stop looking after enterprises; past weeks keep who was assigned then."),
    "demo": ("demo", "Fill the database with a sample park and print the weekly report of its last week."),
    "info": ("misc", "Where the database is, its schema version and what it holds."),
    "undo": (
        "misc",
        "Reverse your last change — whatever one command did (a visit with the problems it\n"
        "opened, a close, an edit, a whole import). The undo is recorded too; run it again to\n"
        "step further back. Another person's later change to the same thing blocks it.",
    ),
    "doctor": (
        "misc",
        "Check the ledger: SQLite's integrity check, no orphans, every ticket's state equal to\n"
        "the replay of its history, and the derived tables equal to a rebuild. Exit 1 on a problem.",
    ),
    "export": ("transfer", "Write every table as CSV (for Excel/WPS) and JSON lines, readable back in by the imports."),
    "backup": ("transfer", "A consistent copy of the database, safe to take while others are writing (mode 0600)."),
    "copy": ("publishing", "Copy the whole ledger — history, change log, deleted items, ids — into another database."),
    "publish": ("publishing", "Write a read-only snapshot of the ledger for leaders to browse with Datasette."),
    "serve": ("publishing", "Run Datasette on a published directory, read-only."),
}


class Group(TyperGroup):
    """The root command: loads the noun groups and the verbs on demand, and is the one place
    where a ServicedeskError becomes `error: …` on stderr and exit 1."""

    _listing = False

    def list_commands(self, ctx):
        # The everyday nouns first (visit, ticket, report), then the verbs.
        listed = [*SUBCOMMANDS, *VERBS]
        return [*listed, *(n for n in super().list_commands(ctx) if n not in listed)]

    def get_command(self, ctx, name):
        if name not in self.commands and name in SUBCOMMANDS:
            module, attribute, help = SUBCOMMANDS[name]
            if self._listing:
                return TyperGroup(name=name, help=help)
            import importlib

            import typer.main

            command = typer.main.get_command(getattr(importlib.import_module(f"{__package__}.{module}"), attribute))
            command.name, command.help = name, help
            self.commands[name] = command
        elif name not in self.commands and name in VERBS:
            module, line = VERBS[name]
            if self._listing:
                return TyperCommand(name=name, help=line)
            self._load_verbs(module)
        return super().get_command(ctx, name)

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in SUBCOMMANDS and args[0] not in VERBS:
            # Typer suggests a near name (`Did you mean 'ticket'?`) from the commands loaded so
            # far: load the near ones first.
            from difflib import get_close_matches

            for near in get_close_matches(args[0], self.list_commands(ctx)):
                self.get_command(ctx, near)
        return super().resolve_command(ctx, args)

    def _load_verbs(self, module: str) -> None:
        """The commands a module's register() adds to the root, as Typer would have made them."""
        import importlib

        import typer.main

        verbs = typer.Typer()
        importlib.import_module(f"{__package__}.{module}").register(verbs)
        for info in verbs.registered_commands:
            command = typer.main.get_command_from_info(
                info, pretty_exceptions_short=app.pretty_exceptions_short, rich_markup_mode=self.rich_markup_mode
            )
            self.commands.setdefault(command.name, command)

    def format_help(self, ctx, formatter):
        self._listing = True
        try:
            return super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def make_context(self, info_name, args, parent=None, **extra):
        from ..i18n import set_language

        set_language(given_language(args))  # until the callback reads --lang: a usage error may come first
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except UsageError as e:
            from . import usage

            usage.translate(e)  # Chinese: its own frame and exit 2; English: Typer's, as ever
            raise
        except BrokenPipeError:
            # `servicedesk --help | head -1`: the help was cut short on purpose.
            _quiet_stdout()
            raise typer.Exit(0) from None
        except SystemExit as e:
            _closed_pipe_is_success(e)
            raise

    def invoke(self, ctx):
        from ..errors import NoLedger, ServicedeskError
        from . import usage
        from .common import os_error

        _escape_unencodable()
        not_text = _not_utf8(self, ctx)
        if not_text:
            fail(
                _(
                    "{what} is not valid UTF-8 text; is the terminal set to GBK? Switch it to UTF-8 and type it again"
                ).format(what=not_text)
            )
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _notice
                return super().invoke(ctx)
        except NoLedger as e:
            fail(_no_ledger(e, ctx.obj))
        except ServicedeskError as e:
            fail(_said_to(e, ctx))
        except BrokenPipeError:
            # `servicedesk … | head` closed the pipe: stop quietly, as other tools do.
            _quiet_stdout()
            raise typer.Exit(0) from None
        except OverflowError:
            fail(_("a number given is too large"))
        except SystemExit as e:
            _closed_pipe_is_success(e)
            raise
        except UsageError as e:
            usage.translate(e)
            raise
        except typer.Abort:
            usage.aborted()  # Ctrl-D at a prompt
            raise
        except Exception as e:
            explained = _explain(e, ctx.obj)
            if explained:
                fail(_said_to(explained, ctx))
            if isinstance(e, OSError):
                fail(os_error(e))
            raise


def given_language(args) -> str | None:
    """The --lang on a command line, before the command that follows the global options
    (else SERVICEDESK_LANG): a usage error can come before the root callback reads it."""
    args = list(args)
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if not arg.startswith("-") and (i == 0 or args[i - 1] not in ("--db", "--as")):
            break  # the command: what follows is its own
    from ..i18n import LANGS

    value = os.environ.get("SERVICEDESK_LANG")
    return value if value in LANGS else None


def _notice(message, category, filename, lineno, file=None, line=None):
    """A Notice from the services is one `warning: …` line on stderr; other warnings as Python shows them."""
    from .. import render
    from ..errors import Notice
    from ..i18n import _

    if issubclass(category, Notice):
        render.message(_("warning: {message}").format(message=message))
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _quiet_stdout() -> None:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)


def _closed_pipe_is_success(e: SystemExit) -> None:
    """Rich ends a help page whose pipe was closed (`| head -1`) with exit 1; that is success."""
    if e.code == 1 and isinstance(e.__context__, BrokenPipeError):
        raise typer.Exit(0) from None


def _explain(error: Exception, state):
    """The ServicedeskError that names a full disk, a read-only or damaged file behind an error
    no command expected; None for a bug."""
    from .common import State

    if not isinstance(state, State):
        return None
    from ..diagnosis import explain

    return explain(error, state.opened_store(), state.db_path)


def _said_to(error, ctx) -> str:
    """The ServicedeskError's line; damage that stops doctor itself is past what doctor repairs."""
    from ..errors import Damaged
    from ..i18n import _

    if isinstance(error, Damaged):  # errors.py sits below the catalogue: its words are said here
        if ctx.invoked_subcommand == "doctor":
            advice = _("SQLite cannot read past it, so restore a backup")
        elif error.advice == "run `servicedesk doctor`, or restore a backup":
            advice = _("run `servicedesk doctor`, or restore a backup")
        else:
            advice = error.advice
        return _("the ledger file is damaged: {detail}; {advice}").format(detail=error.detail, advice=advice)
    return str(error)


def _no_ledger(error, state) -> str:
    from ..i18n import _
    from .common import State

    if isinstance(state, State) and state.default_db:
        return _(
            "no ledger yet at {path}; a command that records something creates it "
            "(servicedesk enterprise add NAME, or servicedesk demo for a sample park)"
        ).format(path=error.path)
    return _("no ledger at {path}; check --db or SERVICEDESK_DB — a command that records something creates it").format(
        path=error.path
    )


def _not_utf8(group, ctx) -> str | None:
    """The option or argument given text that is not valid UTF-8, if any (a name typed in a GBK
    terminal reaches Python as lone surrogates, which SQLite and the output cannot take).

    Checked once here, on the parsed values of the whole command line before any command
    runs; file names (Path values) may be any bytes and are not checked.
    """
    found = _not_text(ctx)
    command, parent = group, ctx
    args = [*ctx._protected_args, *ctx.args]
    try:
        while not found and args and isinstance(command, TyperGroup):
            name, command, args = command.resolve_command(parent, args)
            if command is None:
                return None
            parent = command.make_context(name, list(args), parent=parent, resilient_parsing=True)
            found = _not_text(parent)
            args = [*parent._protected_args, *parent.args]
    except Exception:
        return None  # a usage error: the command itself reports it
    return found


def _not_text(ctx) -> str | None:
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, str) and not _is_utf8(item):
                if param.param_type_name == "option":
                    name = max(param.opts, key=len)
                else:
                    name = _("the {name} argument").format(name=(param.metavar or param.name.upper()).rstrip("."))
                source = ctx.get_parameter_source(param.name)
                if source is not None and source.name == "ENVIRONMENT" and param.envvar:
                    name += _(" (from {envvar})").format(envvar=param.envvar)
                return name
    return None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def fail(message: str):
    from .. import render

    # One line also for what splits lines the Unicode way (str.splitlines, editors, JSON
    # tools): a quoted value's line and paragraph separators become spaces.
    render.error(message.replace("\u2028", " ").replace("\u2029", " "))
    raise typer.Exit(1)


# Typer warns that shell_complete is deprecated (at each conversion of a command, this
# root's --as first): it is the one callback that may offer values not starting with what
# was typed (cli/common.py, "Shell completion").
warnings.filterwarnings("ignore", "In Typer, only the parameter 'autocompletion'", DeprecationWarning)

app = typer.Typer(
    cls=Group,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def default_db() -> Path:
    return Path(typer.get_app_dir("servicedesk")) / "servicedesk.db"


def _db_value(value) -> Path | str | None:
    """A file path, or a postgresql:// URL kept as typed (a Path would fold its //)."""
    from ..dialect import is_url

    if value is None or isinstance(value, Path) or is_url(value):
        return value
    return Path(value)


def _version(value: bool):
    if value:
        typer.echo(f"servicedesk {__version__}")
        raise typer.Exit()


def _complete_officer(ctx: typer.Context, param, incomplete: str) -> list[str]:
    from .common import complete_officer

    return complete_officer(ctx, param, incomplete)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="SERVICEDESK_DB",
            parser=_db_value,
            metavar="PATH|URL",
            help="Database file (default: servicedesk.db in the user data directory), "
            "or a PostgreSQL server: postgresql://user@host/dbname.",
            show_default=False,
        ),
    ] = None,
    acting: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="SERVICEDESK_OFFICER",
            help="Who is acting; recorded on every change.",
            shell_complete=_complete_officer,
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar="SERVICEDESK_LANG",
            metavar="zh|en",
            help="Language of tables, messages and files (default: from the locale). 中文 zh, English en.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
):
    """Weekly enterprise visits, problem tickets and the closure-rate report, in one SQLite file.

    servicedesk visit log 天能 --problem "用工:缺焊工20人"

    servicedesk ticket close 12 --resolution "专场招聘，已招到18人"

    servicedesk report weekly --week last --output 周报.xlsx
    """
    from ..i18n import LANGS, set_language
    from .common import State

    if lang is not None and lang not in LANGS:
        raise typer.BadParameter(_("{lang!r} is not zh or en").format(lang=lang), param_hint="'--lang'")
    set_language(lang)
    ctx.obj = State(db or default_db(), acting, default_db=db is None)
    ctx.call_on_close(ctx.obj.close)


def _escape(error: UnicodeEncodeError) -> tuple[str, int]:
    """Text the output cannot take, escaped: a file name that is not UTF-8 shows its bytes
    (exp\\xff, as typed), a character the console lacks its code point."""
    shown = "".join(
        f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else c.encode("ascii", "backslashreplace").decode()
        for c in error.object[error.start : error.end]
    )
    return shown, error.end


def _escape_unencodable() -> None:
    """A console or pipe that cannot take Chinese text, or a file name that is not UTF-8,
    gets escapes, not a crash, whatever the encoding (PYTHONIOENCODING=utf-8 alone is strict)
    and however the app is run (main(), or in process by a test or a script)."""
    import codecs

    codecs.register_error("servicedesk-escape", _escape)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and getattr(stream, "errors", None) != "servicedesk-escape":
            stream.reconfigure(errors="servicedesk-escape")


def main() -> None:
    import gc

    _escape_unencodable()  # before the arguments are parsed: usage errors quote them
    # One command, then exit: what is loaded by now (Python, typer, this package) lives until
    # then, and the cycle collector need not walk it again on each full pass and at exit.
    # `--help` (which imports rich) spends ~5% less, a list or a report ~3%.
    gc.freeze()
    app(prog_name="servicedesk")
