"""Reports that can be forwarded upward, and the ledger as a spreadsheet the office keeps."""

import csv
import json

import openpyxl
import pytest

# The figures are checked on both backends (conftest.py).
pytestmark = pytest.mark.both


@pytest.fixture
def demo(sd, db, built):
    built("demo", lambda run: run("demo"), db)
    return sd


def test_the_park_s_name_heads_the_markdown_and_the_workbook_lists_every_open_ticket(demo, tmp_path):
    demo("settings", "park", "濮阳工业园区")
    md = demo("report", "weekly", "--week", "last", "--format", "markdown", "--lang", "zh").stdout
    first = md.splitlines()[0]
    assert first.startswith("## 濮阳工业园区 · 周报 ") and "W" in first
    demo("report", "weekly", "--week", "last", "--output", tmp_path / "周报.xlsx", "--lang", "zh")
    book = openpyxl.load_workbook(tmp_path / "周报.xlsx")
    figures = {row[1]: row[2] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert figures["园区"] == "濮阳工业园区"
    assert figures["概述"].startswith("本周（") and "帮助企业申报专项资金 2517 万元" in figures["概述"]
    report = json.loads(demo("report", "weekly", "--week", "last", "--json").stdout)
    assert "open_tickets" not in report and report["park"] == "濮阳工业园区"
    listed = list(book["未办结问题清单"].iter_rows(min_row=2, values_only=True))
    assert len(listed) == report["cumulative"]["open"]


def test_the_ledger_written_with_chinese_headers_reads_back_in(demo, sd, tmp_path):
    demo("ticket", "list", "--output", tmp_path / "台账.xlsx", "--lang", "zh")
    demo("ticket", "list", "--output", tmp_path / "台账.csv", "--lang", "zh")
    book = openpyxl.load_workbook(tmp_path / "台账.xlsx")
    sheet = book.active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:4] == ["编号", "企业名称", "问题类别", "问题描述"] and "办理状态" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 92  # the whole ledger, closed ones too
    assert {r[header.index("办理状态")] for r in rows} >= {"已办结"}
    with open(tmp_path / "台账.csv", encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.reader(f))) == 93
    other = tmp_path / "other.db"
    demo("export", tmp_path / "exp")  # the roster, to read the ledger against
    for kind in ("officer", "enterprise"):
        sd("--db", other, kind, "import", tmp_path / "exp" / f"{kind}s.csv")
    sd("--db", other, "ticket", "import", tmp_path / "台账.xlsx")
    original = json.loads(demo("report", "weekly", "--week", "last", "--json").stdout)["cumulative"]
    copied = json.loads(sd("--db", other, "report", "weekly", "--week", "last", "--json").stdout)["cumulative"]
    assert (copied["collected"], copied["closed"], copied["closure_rate"]) == (92, 90, 97.8)
    assert copied == original
