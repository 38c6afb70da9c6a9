"""`publish DIR` and `serve DIR`: a read-only snapshot for Datasette whose figures are the
reports' own, phone numbers left out unless asked; Datasette itself started on 127.0.0.1
and read over HTTP, as a leader's browser would."""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta

import pytest
from helpers import assert_user_error
from hypothesis import given
from hypothesis import strategies as st

from servicedesk import dates
from servicedesk.models import rate, rate_sql
from servicedesk.site.metadata import HIDDEN, QUERIES


def data(result):
    return json.loads(result.stdout)


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_rate_sql_rounds_as_rate_does(n, d):
    n = min(n, d)
    found = sqlite3.connect(":memory:").execute(f"SELECT {rate_sql(':n', ':d')}", {"n": n, "d": d}).fetchone()[0]
    assert found == rate(n, d)


@pytest.mark.parametrize(("n", "d"), [(1, 16), (90, 92), (0, 0), (0, 5), (5, 5), (2, 3)])
def test_rate_sql_on_the_cases_rate_names(n, d):
    sql = rate_sql(str(n), str(d))
    assert sqlite3.connect(":memory:").execute(f"SELECT {sql}").fetchone()[0] == rate(n, d)


@pytest.fixture
def site(demo_template, db, sd, tmp_path):
    """The demo park, with a ticket reopened weeks ago (open and overdue since), one deleted
    and one closed today, published."""
    demo_template(db)
    conn = sqlite3.connect(db)
    first, closed_on = conn.execute("SELECT id, closed_on FROM tickets WHERE status = 'closed' ORDER BY id").fetchone()
    conn.close()
    reopen = max(date.fromisoformat(closed_on) + timedelta(days=1), dates.today() - timedelta(weeks=6))
    sd("ticket", "reopen", first, "--reason", "未落实", "--date", reopen.isoformat())
    sd("ticket", "delete", 2, "--reason", "重复录入")
    sd("ticket", "close", 92, "--resolution", "已批复")
    folder = tmp_path / "site"
    out = sd("publish", folder)
    assert f"to {folder}" in out.stdout
    return folder


def weeks_of_the_demo():
    this = dates.week_of(dates.today())
    return [this.previous(n) for n in range(12, -1, -1)]


def reported(sd, week) -> dict:
    report = data(sd("report", "weekly", "--week", week.key, "--format", "json"))
    c = report["cumulative"]
    return {
        "周次": report["week"],
        "截至": report["as_of"],
        "本周新增": report["this_week"]["opened"],
        "本周办结": report["this_week"]["closed"],
        "累计收集": c["collected"],
        "累计办结": c["closed"],
        "累计解决": c["solved"],
        "未办结": c["open"],
        "超期": c["overdue"],
        "办结率(%)": c["closure_rate"],
        "解决率(%)": c["resolution_rate"],
    }


def shown(row: dict) -> dict:
    return {k: row[k] for k in ("周次", "截至", "本周新增", "本周办结", "累计收集", "累计办结", "累计解决", "未办结", "超期",
                                "办结率(%)", "解决率(%)")}  # fmt: skip


def test_publish_writes_a_private_one_file_snapshot_and_metadata(site):
    assert site.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in site.iterdir()) == ["metadata.json", "servicedesk.db"]
    for name in ("metadata.json", "servicedesk.db"):
        assert (site / name).stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(f"file:{site / 'servicedesk.db'}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert conn.execute("SELECT count(*) FROM tickets").fetchone() == (92,)
    assert conn.execute("SELECT count(*) FROM ledger").fetchone() == (91,)  # not the deleted one
    meta = json.loads((site / "metadata.json").read_text())
    tables = meta["databases"]["servicedesk"]["tables"]
    assert tables["ledger"]["title"] == "问题台账"
    assert tables["weekly_figures"]["title"] == "每周指标"
    assert all(tables[t]["hidden"] for t in HIDDEN)
    assert set(meta["databases"]["servicedesk"]["queries"]) == set(QUERIES)
    assert "不含联系电话" in meta["description_html"]


def test_the_weekly_figures_view_reads_as_the_weekly_report_in_every_week(site, sd):
    conn = sqlite3.connect(site / "servicedesk.db")
    conn.row_factory = sqlite3.Row
    rows = {r["周次"]: dict(r) for r in conn.execute("SELECT * FROM weekly_figures")}
    weeks = weeks_of_the_demo()
    assert list(rows) == [w.key for w in weeks]
    for week in weeks:
        assert shown(rows[week.key]) == reported(sd, week)
    # The reopened ticket is open and overdue from its reopening on: the sweep is exercised.
    assert [rows[w.key]["超期"] > 0 for w in weeks[-5:]] == [True] * 5


def test_phone_numbers_are_published_only_with_contacts(demo_template, db, sd, tmp_path):
    demo_template(db)
    sd("enterprise", "edit", "1", "--phone", "13900000001")
    phones = [
        r[0] for r in sqlite3.connect(db).execute("SELECT phone FROM enterprises UNION SELECT phone FROM officers")
    ]
    assert len(phones) > 60
    sd("publish", tmp_path / "out")
    body = (tmp_path / "out" / "servicedesk.db").read_bytes()
    assert not [p for p in phones if p.encode() in body]
    sd("publish", tmp_path / "full", "--with-contacts")
    conn = sqlite3.connect(tmp_path / "full" / "servicedesk.db")
    assert conn.execute("SELECT count(phone) FROM enterprises").fetchone() == (65,)


def test_publish_again_replaces_the_snapshot(site, sd):
    sd("ticket", "close", "90", "--resolution", "已招到")
    sd("publish", site)
    conn = sqlite3.connect(site / "servicedesk.db")
    assert conn.execute("SELECT 办理状态 FROM ledger WHERE 编号 = 90").fetchone() == ("已办结",)
    assert sorted(p.name for p in site.iterdir()) == ["metadata.json", "servicedesk.db"]


def test_publish_without_a_ledger_and_serve_without_a_site_are_refused(sd, db, tmp_path):
    assert_user_error(sd("publish", tmp_path / "site", ok=False), "no ledger at")
    assert not (tmp_path / "site").exists()
    assert_user_error(sd("serve", tmp_path / "none", ok=False), "no published ledger", "servicedesk publish")


def test_serve_without_datasette_says_how_to_install_it(site, sd, monkeypatch):
    import importlib.util

    find = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "datasette" else find(name, *a))
    assert_user_error(sd("serve", site, ok=False), "pip install 'servicedesk[web]'")


def test_the_command_line_does_not_import_datasette():
    code = "import sys; from servicedesk.cli import app; import servicedesk.cli.publishing; print('datasette' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


# Datasette on the published park, over HTTP ---------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return response.read().decode()


@pytest.fixture
def served(site, tmp_path):
    pytest.importorskip("datasette")
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "servicedesk", "serve", str(site), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "serve.log", "w"),  # noqa: SIM115 - closed with the process
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(f"{base}/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "serve.log").read_text())
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_datasette_serves_the_published_park_with_the_reports_figures(served, sd):
    index = get(f"{served}/servicedesk")
    assert "问题台账" in index and "每周指标" in index
    assert "tally_totals" not in index  # the derived tables are hidden
    assert "华鑫电池" in get(f"{served}/servicedesk/ledger")
    weekly = json.loads(get(f"{served}/servicedesk/weekly_figures.json?_shape=array"))
    weeks = weeks_of_the_demo()[::-1]  # the latest week first
    assert [r["周次"] for r in weekly] == [w.key for w in weeks]
    for row, week in zip(weekly, weeks, strict=True):
        assert shown(row) == reported(sd, week)
    this_week = json.loads(get(f"{served}/servicedesk/this_week.json?_shape=array"))
    report = data(sd("report", "weekly", "--week", "this", "--format", "json"))
    figures = ("累计收集", "累计办结", "未办结", "超期", "办结率(%)")
    assert [(r["问题类别"], *(r[f] for f in figures)) for r in this_week] == [
        *(
            (c["label"], c["collected"], c["closed"], c["open"], c["overdue"], c["closure_rate"])
            for c in report["by_category"]
        ),
        ("合计", *(report["cumulative"][k] for k in ("collected", "closed", "open", "overdue", "closure_rate"))),
    ]
    departments = json.loads(get(f"{served}/servicedesk/by_department.json?_shape=array"))
    expected = data(sd("report", "departments", "--format", "json"))["rows"]
    assert [(r["责任单位"], r["交办"], r["办结"], r["按时办结率(%)"], r["超期"]) for r in departments] == [
        (r["department"], r["referred"], r["closed"], r["on_time_rate"], r["overdue"]) for r in expected
    ]
    overdue = json.loads(get(f"{served}/servicedesk/open_and_overdue.json?_shape=array"))
    active = data(sd("ticket", "list", "--status", "active", "--json"))
    assert sorted(r["编号"] for r in overdue) == sorted(t["id"] for t in active)


def test_datasette_shows_no_phone_number(served, db):
    phones = [r[0] for r in sqlite3.connect(db).execute("SELECT phone FROM enterprises WHERE phone IS NOT NULL")]
    page = get(f"{served}/servicedesk/enterprises?_size=max")
    rows = json.loads(get(f"{served}/servicedesk/enterprises.json?_shape=array&_size=max"))
    assert len(rows) == 65 and all(r["phone"] is None for r in rows)
    assert not [p for p in phones if p in page]
