"""Random command lines for the CLI, and what each must do: the fuzz test and bench/fuzz.py.

The commands and their options are read from the Click tree the app builds, so a command
added tomorrow is fuzzed too. Values mix what officers type (references, Chinese dates,
categories), what breaks parsers (huge numbers, impossible dates), hostile text (markup,
escapes, SQL, formulas) and arguments that are not UTF-8 (lone surrogates, as a GBK
terminal's bytes reach Python).

Every vector must end in exit 0, 1 or 2, never a traceback; exit 1 ends with one `error:`
line; and a command that fails leaves the ledger byte-for-byte as it was.
"""

import enum
import hashlib
import os
import shlex
import shutil
import types
import typing
from dataclasses import dataclass
from pathlib import Path

import typer.main
from hypothesis import strategies as st

from servicedesk.cli import app

REFS = ["1", "#1", "2", "#3", "7", "0", "-1", "99999999999999999999", "天能", "王伟", "tnd", "wang", "²", "③", "#", ""]
DATES = [
    "2022-05-10", "today", "昨天", "明天", "3d", "-3d", "+2w", "5月10日", "2022/5/10", "2022年5月10日", "11.26",
    "3号", "上上周五", "下周五", "last monday", "月底", "13月40日", "2022-02-30", "9999-12-31", "0001-01-01", "10d",
    "15wd", "15工作日", "99999999d", "-99999999999w", "",
]  # fmt: skip
WEEKS = ["2022-W19", "this", "本周", "last", "上周", "下周", "2022-W54", "W", "2022-05-10", "0000-W01", "9999-W52"]
CATEGORIES = ["labour", "用工", "融资", "financing", "other", "nope", ""]
PROBLEMS = ["用工:缺焊工20人", "融资：流动资金贷款", ":", "nope:x", "x", "用工:", "用工:\udcb9"]
NUMBERS = ["0", "1", "-1", "3", "100", "99999999999999999999999", "1e3", "abc", "", "²"]
HOSTILE = [
    "[bold red]X[/]", "'; DROP TABLE tickets; --", "\x1b[31m红\x1b[0m", "\x1b]0;PWNED\x07", '=HYPERLINK("x")',
    "a | b", "<img src=x>", "\x00", "\u202e反转", "B\udcb9\udcfa", "\udcff", "\udce8", " \t\n ", "x" * 3000,
    "![x](http://evil.example/t.png)", "--", "-", "缺焊工20人", "天能电池", "王伟",
]  # fmt: skip
SURROGATE = st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF, categories=["Cs"])
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
    st.text(st.one_of(st.characters(), SURROGATE), min_size=1, max_size=8),
)
# Commands left out: demo rebuilds the park (its size limits are another issue's).
SKIP = {("demo",)}
FLAGS_LEFT_OUT = {"--force"}  # demo --force, export/backup --force: the park is not theirs to replace


@dataclass
class Param:
    name: str
    opt: str | None  # None for an argument
    flag: bool
    many: bool  # repeatable option, or an argument taking several values
    required: bool
    annotation: object


def _annotation(param) -> object:
    found = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(found, types.UnionType) or typing.get_origin(found) is typing.Union:
        found = next((a for a in typing.get_args(found) if a is not type(None)), None)
    if typing.get_origin(found) is list:
        found = typing.get_args(found)[0]
    return found


def commands() -> dict[tuple[str, ...], list[Param]]:
    """Every leaf command of the app, by its path, with its parameters."""
    root = typer.main.get_command(app)
    found = {}

    def walk(group, path):
        for name in group.list_commands(None):
            command = group.get_command(None, name)
            if hasattr(command, "list_commands"):
                walk(command, (*path, name))
            elif (*path, name) not in SKIP:
                found[(*path, name)] = [
                    Param(
                        p.name,
                        max(p.opts, key=len) if p.param_type_name == "option" else None,
                        bool(getattr(p, "is_flag", False)),
                        bool(p.multiple) or p.nargs == -1,
                        bool(p.required),
                        _annotation(p),
                    )
                    for p in command.params
                    if (max(p.opts, key=len) if p.opts else "") not in ("--help", *FLAGS_LEFT_OUT)
                ]

    walk(root, ())
    return found


def _values(param: Param, paths: list[str]) -> st.SearchStrategy[str]:
    name, kind = param.name, param.annotation
    if kind is Path or (isinstance(kind, type) and issubclass(kind, os.PathLike)):
        return st.sampled_from(paths)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return st.one_of(
            st.sampled_from([str(m.value) for m in kind]), st.sampled_from(["已办结", "电话", "县级", "x"])
        )
    if kind is int:
        return st.one_of(st.sampled_from(NUMBERS), st.integers(-(10**6), 10**20).map(str))
    if any(w in name for w in ("date", "since", "until", "due", "from", "opened")):
        return st.one_of(st.sampled_from(DATES), TEXT)
    if "week" in name:
        return st.one_of(st.sampled_from(WEEKS), st.integers(-5, 60).map(str))
    if any(w in name for w in ("enterprise", "officer", "owner", "ticket", "ref", "visit")):
        return st.one_of(st.sampled_from(REFS), TEXT)
    if name == "category":
        return st.sampled_from(CATEGORIES)
    if name == "problem":
        return st.one_of(st.sampled_from(PROBLEMS), TEXT.map(lambda t: f"用工:{t}"))
    return TEXT


@st.composite
def argv(draw, tree: dict, paths: list[str], dbs: list[str]) -> list[str]:
    """One command line: global options, a command, its arguments and some of its options,
    now and then broken (a token dropped or repeated, an unknown option)."""
    path = draw(st.sampled_from(sorted(tree)))
    params = tree[path]
    words: list[str] = []
    if draw(st.integers(0, 9)) == 0:
        words += ["--as", draw(st.one_of(st.sampled_from(REFS), TEXT))]
    if dbs and draw(st.integers(0, 19)) == 0:
        words += ["--db", draw(st.sampled_from(dbs))]
    words += list(path)
    for param in params:
        if param.opt is None:
            count = draw(st.integers(1, 3)) if param.many else 1
            if param.required or draw(st.booleans()):
                words += [draw(_values(param, paths)) for _ in range(count)]
            continue
        if draw(st.integers(0, 3)) != 0:  # each option in one vector of four
            continue
        if param.flag:
            words.append(param.opt)
        else:
            for _ in range(draw(st.integers(1, 2)) if param.many else 1):
                words += [param.opt, draw(_values(param, paths))]
    mutation = draw(st.integers(0, 15))
    if mutation == 0 and len(words) > 1:
        del words[draw(st.integers(0, len(words) - 1))]
    elif mutation == 1:
        words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(["--bogus", "-x", "--", "--json"])))
    elif mutation == 2 and words:
        words.append(words[-1])
    return words


class Playground:
    """A park to fuzz: the ledger (reset from its template after any change), files for
    the imports to read, and places for exports, backups and --output to write."""

    def __init__(self, folder: Path, template: Path):
        self.folder, self.template = folder, template
        self.db = folder / "park.db"
        self.out = folder / "out"
        inputs = folder / "in"
        inputs.mkdir(parents=True, exist_ok=True)
        (inputs / "企业.csv").write_text("企业名称,行业\n天能电池,化工\n新企业,化工\n", encoding="utf-8")
        (inputs / "台账.csv").write_text(
            "企业名称,问题类别,问题描述,提出日期\n天能电池,用工,缺焊工,2022-05-10\n无此企业,nope,x,2022-13-40\n",
            encoding="utf-8",
        )
        (inputs / "坏.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
        (inputs / "gbk.csv").write_bytes("企业名称\n天能电池\n".encode("gb18030"))
        (inputs / "empty.csv").write_bytes(b"")
        self.paths = [
            *(str(p) for p in sorted(inputs.iterdir())),
            str(inputs),
            str(folder / "missing.csv"),
            str(self.out / "a"),
            str(self.out / "周报.md"),
            str(self.out / "周报.xlsx"),
            str(self.out / "x.csv"),
            str(self.out / "exp\udcff"),
            str(self.db),
        ]  # not "": `export ""` writes into the current directory, the checkout
        self.dbs = [str(folder / "nowhere" / "typo.db"), str(inputs / "企业.csv"), str(inputs)]
        self.reset()

    def reset(self) -> None:
        shutil.copyfile(self.template, self.db)
        for stale in (self.out, self.folder / "nowhere"):
            shutil.rmtree(stale, ignore_errors=True)
        self.out.mkdir()
        self.before = self.fingerprint()

    def fingerprint(self) -> str:
        digest = hashlib.sha1()
        for suffix in ("", "-wal", "-journal"):
            path = self.db.with_name(self.db.name + suffix)
            if path.exists():
                digest.update(suffix.encode() + path.read_bytes())
        return digest.hexdigest()


def problem(exit_code: int, stderr: str, exception: BaseException | None, changed: bool) -> str | None:
    """What is wrong with one run, or None."""
    if exception is not None and not isinstance(exception, SystemExit):
        return f"traceback: {type(exception).__name__}: {str(exception)[:200]}"
    if "Traceback" in stderr:
        return "traceback: " + stderr.strip().splitlines()[-1][:200]
    if exit_code not in (0, 1, 2):
        return f"exit {exit_code}"
    if exit_code == 1:
        # One `error:` line; an import's bad rows follow it indented, a line each (cli.md "Imports").
        lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("  ")]
        if not lines or not lines[-1].startswith("error: "):
            return f"exit 1 without an `error:` line: {stderr[:200]!r}"
    if exit_code != 0 and changed:
        return f"exit {exit_code} and the ledger changed"
    return None


def shell(words: list[str]) -> str:
    """A command line to paste into bash, bytes that are not UTF-8 as $'\\xNN'."""
    out = []
    for word in words:
        raw = os.fsencode(word)
        if all(32 <= b < 127 for b in raw) or (raw.isascii() is False and _utf8(raw) and "\x1b" not in word):
            out.append(shlex.quote(word))
        else:
            out.append(
                "$'" + "".join(chr(b) if 32 <= b < 127 and b not in b"'\\" else f"\\x{b:02x}" for b in raw) + "'"
            )
    return "servicedesk " + " ".join(out)


def _utf8(raw: bytes) -> bool:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return text.isprintable()
