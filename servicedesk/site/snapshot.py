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


# The Monday of the week a day falls in, or the first published week's for an earlier day.
_WEEK = "max(date({day}, 'weekday 0', '-6 days'), p.first)"
_PENDING = "s.status IN ('open', 'in_progress')"

# One pass over the tallies and the spans, not one per week: each change to a count is put
# in the week it falls in, and a running sum over the weeks makes the count as of each
# week's report day (`weeks.as_of`; nothing is dated after the last one, today). Rows are
# grouped by day before a day is turned into its week: date() on every span costs seconds
# at 100k tickets.
# - collected, closed, solved: the tallies' daily changes (derive.py), as asof.counts reads
#   them — the count as of D is the sum of the changes dated up to D;
# - open: a span not closed counts from from_on up to the day before until_on, as
#   asof.pending reads it; overdue: the same from the day after its due date on.
WEEKLY_FIGURES = f"""
CREATE VIEW weekly_figures AS
WITH p AS (SELECT min(start) AS first, max(as_of) AS today FROM weeks),
tallied AS (
    SELECT t.day, SUM(t.collected) AS collected, SUM(t.closed) AS closed, SUM(t.solved) AS solved
    FROM tallies t, p WHERE t.dim = 'category' AND t.day <= p.today GROUP BY t.day
),
starts AS (
    SELECT s.from_on AS day, count(*) AS open, SUM(s.due_on < s.from_on) AS overdue
    FROM spans s, p WHERE {_PENDING} AND s.from_on <= p.today GROUP BY s.from_on
),
ends AS (
    SELECT s.until_on AS day, count(*) AS open, SUM(s.due_on < s.from_on) AS overdue
    FROM spans s, p WHERE {_PENDING} AND s.until_on <= p.today GROUP BY s.until_on
),
-- spans that fall overdue after their first day: from the day after the due date, if that
-- comes before their end
due AS (
    SELECT date(due_on, '+1 day') AS late_from, until_on, n FROM (
        SELECT s.due_on, s.until_on, count(*) AS n FROM spans s, p
        WHERE {_PENDING} AND s.due_on >= s.from_on AND s.due_on < p.today GROUP BY s.due_on, s.until_on
    )
),
changes AS (
    SELECT {_WEEK.format(day="day")} AS monday, collected, closed, solved, 0 AS open, 0 AS overdue FROM tallied, p
    UNION ALL
    SELECT {_WEEK.format(day="day")}, 0, 0, 0, open, overdue FROM starts, p
    UNION ALL
    SELECT {_WEEK.format(day="day")}, 0, 0, 0, -open, -overdue FROM ends, p
    UNION ALL
    SELECT {_WEEK.format(day="late_from")}, 0, 0, 0, 0, n FROM due, p WHERE late_from < until_on
    UNION ALL
    SELECT {_WEEK.format(day="until_on")}, 0, 0, 0, 0, -n FROM due, p WHERE late_from < until_on AND until_on <= p.today
),
weekly AS (
    SELECT monday, SUM(collected) AS collected, SUM(closed) AS closed, SUM(solved) AS solved, SUM(open) AS open,
        SUM(overdue) AS overdue
    FROM changes GROUP BY monday
),
running AS (
    SELECT w.week, w.start, w."end", w.as_of,
        SUM(COALESCE(c.collected, 0)) OVER running AS collected, SUM(COALESCE(c.closed, 0)) OVER running AS closed,
        SUM(COALESCE(c.solved, 0)) OVER running AS solved, SUM(COALESCE(c.open, 0)) OVER running AS open,
        SUM(COALESCE(c.overdue, 0)) OVER running AS overdue
    FROM weeks w LEFT JOIN weekly c ON c.monday = w.start
    WINDOW running AS (ORDER BY w.start)
)
SELECT r.week AS 周次, r.start AS 起, r."end" AS 止, r.as_of AS 截至,
    (SELECT count(DISTINCT ticket_id) FROM activity a WHERE a.week = r.week AND a.kind = 'opened') AS 本周新增,
    (SELECT count(DISTINCT ticket_id) FROM activity a WHERE a.week = r.week AND a.kind = 'closed') AS 本周办结,
    r.collected AS 累计收集, r.closed AS 累计办结, r.solved AS 累计解决, r.open AS 未办结, r.overdue AS 超期,
    {rate_sql("r.closed", "r.collected")} AS "办结率(%)", {rate_sql("r.solved", "r.collected")} AS "解决率(%)"
FROM running r
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
    # The view reads the park's daily changes (dim 'category') without the per-owner rows.
    conn.execute("CREATE INDEX tallies_dim_day ON tallies(dim, day)")
    # …and the spans by their first day, with all the columns it reads (a third of the time at 100k tickets).
    conn.execute("CREATE INDEX spans_weekly ON spans(status, from_on, until_on, due_on)")
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
