"""What `publish` adds to its copy of the ledger for people reading it in Datasette: the
weeks and their report days, views with names and Chinese words instead of ids and codes,
and, unless contacts are published, no phone numbers.

The figures are the reports' own: each cumulative count is the tallies' (derive.py
INDICATORS, read as views/asof.py reads them: the total less the changes dated after the
day), open and overdue are the spans in force on the day (asof.pending), a week's own
opened and closed are the activity table's (reports/weekly.py), and rates round as
models.rate does. tests/test_publish.py holds every week's figures against
`report weekly --format json`.
"""

from .. import dates
from ..models import OUTCOME_LABELS, PRIORITY_LABELS, STATUS_LABELS, rate_sql
from ..reports.weekly import as_of
from ..store import Store

# The day the snapshot is read as of: the last week's report day (today).
TODAY = "(SELECT max(as_of) FROM weeks)"


def _case(column: str, labels: dict[str, str]) -> str:
    whens = " ".join(f"WHEN '{code}' THEN '{label}'" for code, label in labels.items())
    return f"CASE {column} {whens} ELSE {column} END"


_LATER = ", ".join(f"SUM({f}) AS {f}" for f in ("collected", "closed", "solved"))

WEEKLY_FIGURES = f"""
CREATE VIEW weekly_figures AS
WITH totals AS (
    SELECT SUM(collected) AS collected, SUM(closed) AS closed, SUM(solved) AS solved
    FROM tally_totals WHERE dim = 'category'
),
cumulative AS (
    SELECT w.week, w.start, w."end", w.as_of,
        t.collected - COALESCE((SELECT SUM(collected) FROM tallies l WHERE l.dim = 'category' AND l.day > w.as_of), 0)
            AS collected,
        t.closed - COALESCE((SELECT SUM(closed) FROM tallies l WHERE l.dim = 'category' AND l.day > w.as_of), 0)
            AS closed,
        t.solved - COALESCE((SELECT SUM(solved) FROM tallies l WHERE l.dim = 'category' AND l.day > w.as_of), 0)
            AS solved
    FROM weeks w CROSS JOIN totals t
)
SELECT c.week AS 周次, c.start AS 起, c."end" AS 止, c.as_of AS 截至,
    (SELECT count(DISTINCT ticket_id) FROM activity a WHERE a.kind = 'opened' AND a.week = c.week) AS 本周新增,
    (SELECT count(DISTINCT ticket_id) FROM activity a WHERE a.kind = 'closed' AND a.week = c.week) AS 本周办结,
    COALESCE(c.collected, 0) AS 累计收集, COALESCE(c.closed, 0) AS 累计办结, COALESCE(c.solved, 0) AS 累计解决,
    (SELECT count(*) FROM spans s WHERE s.status IN ('open', 'in_progress') AND s.until_on > c.as_of
        AND s.from_on <= c.as_of) AS 未办结,
    (SELECT count(*) FROM spans s WHERE s.status IN ('open', 'in_progress') AND s.until_on > c.as_of
        AND s.from_on <= c.as_of AND s.due_on < c.as_of) AS 超期,
    {rate_sql("COALESCE(c.closed, 0)", "c.collected")} AS "办结率(%)",
    {rate_sql("COALESCE(c.solved, 0)", "c.collected")} AS "解决率(%)"
FROM cumulative c
"""

LEDGER = f"""
CREATE VIEW ledger AS
SELECT t.id AS 编号, e.name AS 企业, COALESCE(c.label_zh, c.label, t.category) AS 问题类别, t.title AS 问题描述,
    t.opened_on AS 提出日期, o.name AS 责任人, t.department AS 责任单位,
    {_case("t.priority", PRIORITY_LABELS)} AS 优先级, t.due_on AS 办理时限,
    {_case("t.status", STATUS_LABELS)} AS 办理状态,
    CASE WHEN t.status != 'closed' AND t.due_on < {TODAY} THEN '超期' ELSE '' END AS 超期,
    CASE WHEN t.supervised THEN '督办' ELSE '' END AS 督办,
    t.closed_on AS 办结日期, {_case("t.outcome", OUTCOME_LABELS)} AS 办理结果, t.resolution AS 解决情况
FROM tickets t JOIN enterprises e ON e.id = t.enterprise_id
LEFT JOIN officers o ON o.id = t.owner_id LEFT JOIN categories c ON c.code = t.category
WHERE t.removed IS NULL
"""


def weeks(store: Store) -> list[dates.Week]:
    """Every week from the first one the ledger records something in to this one."""
    first = store.value(
        """SELECT min(w) FROM (SELECT min(opened_week) AS w FROM tickets UNION ALL SELECT min(week) FROM visits
        UNION ALL SELECT min(week) FROM feedback UNION ALL SELECT min(week) FROM services)"""
    )
    last = dates.week_of(dates.today())
    week = dates.parse_week(first) if first else last
    found = []
    while week.start <= last.start:
        found.append(week)
        week = week.previous(-1)
    return found


def add_views(store: Store) -> None:
    """The weeks and the views, inside the caller's transaction on the snapshot."""
    conn = store.conn
    conn.execute(
        'CREATE TABLE weeks (week TEXT PRIMARY KEY, start TEXT NOT NULL, "end" TEXT NOT NULL, as_of TEXT NOT NULL)'
    )
    conn.executemany(
        'INSERT INTO weeks (week, start, "end", as_of) VALUES (?, ?, ?, ?)',
        [(w.key, w.start.isoformat(), w.end.isoformat(), as_of(w)) for w in weeks(store)],
    )
    conn.execute(WEEKLY_FIGURES)
    conn.execute(LEDGER)


def remove_contacts(store: Store) -> None:
    """No phone number in the snapshot: not on enterprises and officers, not in the change
    log's details, not in the command lines of the change sets (`--phone …`). The snapshot
    is a publication, not a ledger anyone records in: its append-only guards go first."""
    conn = store.conn
    for trigger in ("changes_no_update", "changesets_no_update"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for table in ("enterprises", "officers"):
        conn.execute(f"UPDATE {table} SET phone = NULL WHERE phone IS NOT NULL")
    conn.execute(
        """UPDATE changes SET detail = json_remove(detail, '$.phone')
        WHERE detail IS NOT NULL AND json_valid(detail) AND json_type(detail, '$.phone') IS NOT NULL"""
    )
    conn.execute("UPDATE changesets SET command = NULL WHERE command IS NOT NULL")
