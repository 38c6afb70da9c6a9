"""Markdown output keeps user text inert: no link, image, emphasis or code that the user did not
mean for the reader; our own figures and ordinary Chinese text read as they are."""

import re

import pytest

# Checked on both backends (conftest.py).
pytestmark = pytest.mark.both

markdown_it = pytest.importorskip("markdown_it")  # rich's own dependency

EVIL = "![x](http://evil.example/t.png) [c](javascript:alert(1)) *b* _i_ `c` ~~s~~ # h"
PLAIN = "缺焊工20人，急需解决（用工）"

VIEWS = [
    ("enterprise", "list"),
    ("officer", "list"),
    ("visit", "list"),
    ("visit", "missing", "--week", "2022-W20"),
    ("ticket", "list", "--status", "all"),
    ("ticket", "show", "1"),
    ("feedback", "list"),
    ("category", "list"),
    ("report", "weekly", "--week", "2022-W19", "--lang", "en"),
    ("report", "weekly", "--week", "2022-W19", "--lang", "zh"),
    ("report", "closure", "--until", "2022-05-31"),
    ("report", "closure", "--until", "2022-05-31", "--by", "enterprise"),
    ("report", "closure", "--until", "2022-05-31", "--by", "officer"),
    ("report", "trend", "--weeks", "2", "--until", "2022-05-15"),
]


def build(sd):
    sd("enterprise", "add", f"天能{EVIL}", "--sector", EVIL, "--contact", EVIL)
    sd("officer", "add", f"王伟{EVIL}", "--unit", EVIL)
    sd("assign", "王伟", "天能", "--from", "2022-05-02")
    sd("category", "add", "hr", "--label", f"Talent {EVIL}", "--label-zh", f"人才{EVIL}")
    sd("visit", "log", "天能", "--date", "2022-05-10", "--note", EVIL, "--problem", f"用工:{EVIL}")
    sd("ticket", "open", "天能", PLAIN, "--category", "hr", "--date", "2022-05-11")
    sd("ticket", "note", "1", EVIL)
    sd("feedback", "add", "天能", "--kind", "letter", "--date", "2022-05-12", "--note", EVIL)


@pytest.fixture
def park(sd, db, built):
    built("markdown", build, db)
    return sd


def tokens(text: str):
    """Every inline token a CommonMark + GFM tables/strikethrough parser sees, links not vetted."""
    md = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # see a javascript: link as a link, to count it

    def walk(items):
        for token in items:
            yield token
            yield from walk(token.children or [])

    return list(walk(md.parse(text)))


@pytest.mark.parametrize("view", VIEWS, ids=" ".join)
def test_user_text_in_markdown_is_inert(park, view):
    out = park(*view, "-f", "markdown").stdout
    assert "evil.example" in out or view[:2] == ("report", "trend"), out
    seen = {t.type for t in tokens(out)}  # (a closure or trend report's own title is **bold**)
    assert not seen & {"link_open", "image", "em_open", "code_inline", "s_open", "html_inline"}
    assert not re.search(r"(?<!\\)\]\(", out)  # no ]( that a parser could take for a link


def test_markdown_keeps_ordinary_chinese_text_and_figures_readable(park):
    out = park("ticket", "list", "--status", "all", "-f", "markdown").stdout
    assert f"| {PLAIN} |" in out
    weekly = park("report", "weekly", "--week", "2022-W19", "-f", "markdown", "--lang", "zh").stdout
    assert "| 办结率 | 0.0% (0/2) |" in weekly
