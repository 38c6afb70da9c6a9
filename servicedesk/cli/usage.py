"""Typer's own words in the command's language: its usage errors (exit 2), an aborted prompt.

Typer's bundled Click builds these messages with f-strings, not gettext, so they cannot be
looked up by their English: each kind is said again from what its exception carries (the
option, the parameter, pydantic's error type), through our catalogue. A message we raised
ourselves (a choice's parser, --lang) is in the language already. English keeps Typer's
own frame, byte for byte; Chinese gets the same frame — the usage line, how to get help,
the error in a box — in Chinese.
"""

import re

import typer
from typer._click.exceptions import (  # Typer's own Click: the classes its parser raises
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)

from ..i18n import _, language, pgettext

__all__ = ["UsageError", "aborted", "translate"]


def translate(error: UsageError) -> None:
    """Show `error` in Chinese and exit 2; in English (and for the help of a bare group)
    return, and Typer shows it as ever."""
    if language() == "en" or isinstance(error, NoArgsIsHelpError):
        return
    from .. import render

    ctx = error.ctx
    usage = hint = None
    if ctx is not None:
        pieces = " ".join(_words(piece) for piece in ctx.command.collect_usage_pieces(ctx))
        usage = _("Usage: {command} {arguments}").format(command=ctx.command_path, arguments=pieces)
        if ctx.command.get_help_option(ctx) is not None:
            hint = _("Run `{command} {option}` for help.").format(
                command=ctx.command_path, option=ctx.help_option_names[0]
            )
    render.usage_error(said(error), usage=usage, hint=hint, title=pgettext("usage", "Error"))
    raise typer.Exit(2)


def aborted() -> None:
    """Ctrl-D at a prompt: Typer says `Aborted.` (exit 1); in Chinese, the same in Chinese."""
    if language() == "en":
        return
    from .. import render

    render.aborted(_("Aborted."))
    raise typer.Exit(1)


def said(error: UsageError) -> str:
    """The error's message in this command's language."""
    if isinstance(error, NoSuchOption):
        text = _("no option {option}").format(option=error.option_name)
        if error.possibilities:
            text += _("; did you mean {options}?").format(options=_listed(sorted(error.possibilities)))
        return text
    if isinstance(error, MissingParameter):
        param = error.param
        if param is None:
            return _("a value is missing")
        if param.param_type_name == "argument":
            return _("{argument} is missing").format(argument=_words(_named(param)))
        return _("the option {option} is missing").format(option=_named(param))
    if isinstance(error, BadParameter):
        if error.param_hint is not None:
            hint = error.param_hint if isinstance(error.param_hint, str) else error.param_hint[0]
            name = hint.strip("'\"")
        elif error.param is not None:
            name = _named(error.param)
            name = _words(name) if error.param.param_type_name == "argument" else name
        else:
            name = None
        cause = error.__cause__
        problem = _pydantic(cause.errors()[0], error.param) if hasattr(cause, "errors") else error.message
        if name is None:
            return _("invalid value: {problem}").format(problem=problem)
        return _("invalid value for {name}: {problem}").format(name=name, problem=problem)
    message = error.message
    for pattern, say in _PATTERNS():
        found = pattern.fullmatch(message)
        if found:
            return say(**found.groupdict())
    return error.format_message()  # none we know: as Typer says it


def _named(param) -> str:
    """An option by its long name (--limit), an argument by its metavar (ID)."""
    if param.param_type_name == "option" and param.opts:
        return max(param.opts, key=len)
    return param.display_name_raw.upper()


def _pydantic(error: dict, param) -> str:
    """What pydantic found wrong with a typed value (an int, an enum), in this language."""
    kind, value, limits = error.get("type"), error.get("input"), error.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _('"{value}" is not a whole number').format(value=value)
    if kind in ("float_parsing", "float_type"):
        return _('"{value}" is not a number').format(value=value)
    if kind == "greater_than_equal":
        return _("it must be at least {limit}, not {value}").format(limit=limits["ge"], value=value)
    if kind == "less_than_equal":
        return _("it must be at most {limit}, not {value}").format(limit=limits["le"], value=value)
    if kind == "greater_than":
        return _("it must be more than {limit}, not {value}").format(limit=limits["gt"], value=value)
    if kind == "less_than":
        return _("it must be less than {limit}, not {value}").format(limit=limits["lt"], value=value)
    choices = getattr(getattr(param, "type_descriptor", None), "choices", None)
    if choices:
        listed = _listed(getattr(c, "value", c) for c in choices)
        return _("{value!r} is not one of: {choices}").format(value=value, choices=listed)
    return _('"{value}" cannot be used here').format(value=value)


def _PATTERNS():  # noqa: N802 - a table, made when asked (the language is set per command)
    """Typer's plain usage messages (ctx.fail, the parser's), read back: (pattern, how to say it)."""
    quoted = r"(?P<q>['\"])(?P<{}>.*)(?P=q)"

    def no_command(name, matches=None, q=None, **_ignored):
        text = _("no command {name}").format(name=name)
        if matches:
            text += _("; did you mean {commands}?").format(commands=_listed(re.findall(r"'([^']*)'", matches)))
        return text

    return [
        (re.compile(rf"No such command {quoted.format('name')}\.(?: Did you mean (?P<matches>.*)\?)?"), no_command),
        (re.compile(r"Missing command\."), lambda: _("a command is missing")),
        (
            re.compile(r"Got unexpected extra argument\(s\) \((?P<args>.*)\)"),
            lambda args: _("unexpected extra arguments: {args} (put text with spaces in quotes)").format(args=args),
        ),
        (
            re.compile(rf"Option {quoted.format('option')} requires an argument\."),
            lambda option, q: _("{option} needs a value").format(option=option),
        ),
        (
            re.compile(rf"Option {quoted.format('option')} requires (?P<n>\d+) arguments\."),
            lambda option, n, q: _("{option} needs {n} values").format(option=option, n=n),
        ),
        (
            re.compile(rf"Option {quoted.format('option')} does not take a value\."),
            lambda option, q: _("{option} takes no value").format(option=option),
        ),
    ]


def _words(text: str) -> str:
    """The metavars of a usage line (OPTIONS, ENTERPRISE…) in this language; others as they are."""
    words = {
        "OPTIONS": pgettext("usage", "OPTIONS"),
        "COMMAND": pgettext("usage", "COMMAND"),
        "ARGS": pgettext("usage", "ARGS"),
        "ENTERPRISE": pgettext("usage", "ENTERPRISE"),
        "OFFICER": pgettext("usage", "OFFICER"),
        "ID": pgettext("usage", "ID"),
        "TEXT": pgettext("usage", "TEXT"),
        "NAME": pgettext("usage", "NAME"),
        "CODE": pgettext("usage", "CODE"),
        "WORD": pgettext("usage", "WORD"),
        "DATE": pgettext("usage", "DATE"),
        "DEPARTMENT": pgettext("usage", "DEPARTMENT"),
        "FILE": pgettext("usage", "FILE"),
        "DIR": pgettext("usage", "DIR"),
        "SOURCE": pgettext("usage", "SOURCE"),
        "DEST": pgettext("usage", "DEST"),
        "KEY": pgettext("usage", "KEY"),
        "VALUE": pgettext("usage", "VALUE"),
    }
    return re.sub(r"[A-Z]+", lambda m: words.get(m.group(), m.group()), text)


def _listed(items) -> str:
    return ("、" if language() == "zh" else ", ").join(map(str, items))
