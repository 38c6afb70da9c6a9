"""The figures of domain.md, computed once per report and shared by every output format.

Cumulative figures come from the tallies and the spans (derive.py), so a weekly report
costs the same at 10k tickets as at 1M; a week's own activity comes from the activity
table's ISO-week keys. Every rate is a models.Rate that carries its counts.
"""

from datetime import date

from . import dates
from .derive import indicator
from .errors import InvalidInput
from .models import FeedbackKind, Rate, assigned_sql
from .store import Store
from .views import asof, refs
from .views import tickets as ticket_views
from .views import visits as visit_views

TREND_WEEKS = 8
OLDEST_OPEN = 10
CLOSURE_DIMENSIONS = ("category", "officer", "enterprise", "sector", "department", "week")


def as_of(week: dates.Week) -> str:
    """The day a week's report is as of: its Sunday, or today for the current week
    (nothing is overdue before it is due). A week that has not begun has no report."""
    today = dates.today()
    if week.start > today:
        raise InvalidInput(f"{week.key} has not begun yet (it starts on {week.start.isoformat()}); nothing to report")
    return min(week.end, today).isoformat()


def cumulative(store: Store, day: str) -> tuple[dict, dict[str, dict], list[dict]]:
    """Headline figures as of the end of `day`, the same per category, and the tickets not closed."""
    per_category = asof.counts(store, day, "category")
    pending = asof.pending(store, day)
    sums = asof.total(per_category)
    headline = {
        "collected": sums["collected"],
        "closed": sums["closed"],
        "solved": sums["solved"],
        "open": len(pending),
        "overdue": sum(t["due_on"] < day for t in pending),
        "closure_rate": Rate(sums["closed"], sums["collected"]),
        "resolution_rate": Rate(sums["solved"], sums["collected"]),
        "on_time_rate": Rate(sums["on_time"], sums["closed"]),
        "on_time": sums["on_time"],
    }
    return headline, per_category, pending


def _visits(store: Store, week: dates.Week) -> dict:
    counts = store.row(
        f"""
        WITH assigned AS (SELECT DISTINCT enterprise_id FROM ({visit_views.ASSIGNED_IN_WEEK}))
        SELECT
            (SELECT count(*) FROM visits WHERE week = :week AND removed IS NULL) AS logged,
            (SELECT count(*) FROM assigned) AS assigned,
            (SELECT count(*) FROM assigned a WHERE {visit_views.VISITED_IN_WEEK.format(e="a.enterprise_id")}) AS visited
        """,
        visit_views.span(week),
    )
    return {
        "logged": counts["logged"],
        "enterprises_visited": counts["visited"],
        "enterprises_assigned": counts["assigned"],
        "coverage_rate": Rate(counts["visited"], counts["assigned"]),
        "missed": visit_views.missed(store, week),
    }


def _closed_in(store: Store, first: str, last: str) -> dict[str, dict[str, int]]:
    """Per week key: tickets with a close dated in that week, by the outcome of their latest one."""
    rows = store.rows(
        """
        SELECT week, outcome, count(*) AS n FROM (
            -- SQLite takes the bare column (outcome) from the row holding the max()
            SELECT week, outcome, max(on_date || '/' || printf('%012d', rowid)) FROM activity
            WHERE kind = 'closed' AND week BETWEEN ? AND ? GROUP BY week, ticket_id
        ) GROUP BY week, outcome
        """,
        (first, last),
    )
    result: dict[str, dict[str, int]] = {}
    for r in rows:
        result.setdefault(r["week"], {})[r["outcome"]] = r["n"]
    return result


def _counted_in(store: Store, kind: str, first: str, last: str) -> dict[str, int]:
    """Per week key: how many tickets had an event of `kind` dated in that week (each once)."""
    rows = store.rows(
        "SELECT week, count(DISTINCT ticket_id) AS n FROM activity WHERE kind = ? AND week BETWEEN ? AND ? GROUP BY week",
        (kind, first, last),
    )
    return {r["week"]: r["n"] for r in rows}


def _this_week(store: Store, week: dates.Week, closed_in: dict) -> dict:
    closed = closed_in.get(week.key, {})
    return {
        "opened": _counted_in(store, "opened", week.key, week.key).get(week.key, 0),
        "closed": sum(closed.values()),
        "resolved": closed.get("resolved", 0),
        "explained": closed.get("explained", 0),
        "withdrawn": closed.get("withdrawn", 0),
        "reopened": _counted_in(store, "reopened", week.key, week.key).get(week.key, 0),
    }


def category_labels(category: dict | None) -> dict:
    """A category's names as this park has them (`category add --label`), for every report."""
    if category is None:
        return {}
    return {"label": category["label_zh"] or category["label"], "label_en": category["label"]}


def _by_category(store: Store, per_category: dict, pending: list[dict], day: str) -> list[dict]:
    rows = []
    for cat in refs.categories(store):
        counts = per_category.get(cat["code"])
        if not counts or counts["collected"] <= 0:
            continue
        still_open = [t for t in pending if t["category"] == cat["code"]]
        rows.append(
            {
                "category": cat["code"],
                **category_labels(cat),
                "collected": counts["collected"],
                "closed": counts["closed"],
                "open": len(still_open),
                "overdue": sum(t["due_on"] < day for t in still_open),
                "closure_rate": Rate(counts["closed"], counts["collected"]),
            }
        )
    return rows


def _by_officer(store: Store, week: dates.Week, pending: list[dict], day: str) -> list[dict]:
    span = visit_views.span(week)
    assigned = {
        r["officer_id"]: r["n"]
        for r in store.rows(
            f"SELECT officer_id, count(DISTINCT enterprise_id) AS n FROM assignments a WHERE {assigned_sql()} GROUP BY officer_id",
            span,
        )
    }
    visited = {
        r["officer_id"]: r["n"]
        for r in store.rows(
            "SELECT officer_id, count(*) AS n FROM visits WHERE week = :week AND removed IS NULL GROUP BY officer_id",
            span,
        )
    }
    owned = {k: v["collected"] for k, v in asof.counts(store, day, "owner").items()}
    names = {r["id"]: r["name"] for r in store.rows("SELECT id, name FROM officers")}
    ids = sorted({*assigned, *visited, *(int(k) for k, n in owned.items() if k and n)})
    by_owner: dict[int | None, list[dict]] = {}
    for t in pending:
        by_owner.setdefault(t["owner_id"], []).append(t)
    rows = []
    for officer_id in [*ids, None] if owned.get("") else ids:
        mine = by_owner.get(officer_id, [])
        rows.append(
            {
                "officer": names.get(officer_id) if officer_id is not None else None,
                "enterprises": assigned.get(officer_id, 0),
                "visits": visited.get(officer_id, 0),
                "tickets": owned.get("" if officer_id is None else str(officer_id), 0),
                "open": len(mine),
                "overdue": sum(t["due_on"] < day for t in mine),
            }
        )
    return rows


def as_of_items(store: Store, chosen: list[dict], day: str) -> list[dict]:
    """Ticket items for tickets not closed on `day`, showing their state on that day."""
    if not chosen:
        return []
    by_id = {t["id"]: t for t in chosen}
    marks = ", ".join("?" for _ in chosen)
    shown = ticket_views.items(store, f"t.id IN ({marks})", tuple(by_id), "t.opened_on, t.id")
    names = {r["id"]: r["name"] for r in store.rows("SELECT id, name FROM officers")}
    for item in shown:
        then = by_id[item["id"]]
        item.update(
            status=then["status"],
            outcome=None,
            closed_on=None,
            owner=names.get(then["owner_id"]),
            department=then["department"],
            due_on=then["due_on"],
            overdue=then["due_on"] < day,
            days_open=(date.fromisoformat(day) - date.fromisoformat(item["opened_on"])).days,
        )
    return shown


def _oldest_open(store: Store, pending: list[dict], day: str) -> list[dict]:
    """The open tickets people act on, oldest first, with their state as of the day."""
    return as_of_items(store, sorted(pending, key=lambda t: (t["opened_on"], t["id"]))[:OLDEST_OPEN], day)


def _feedback(store: Store, week: dates.Week, day: str) -> dict:
    to_date = {
        r["kind"]: r["n"]
        for r in store.rows(
            "SELECT kind, count(*) AS n FROM feedback WHERE received_on <= ? AND removed IS NULL GROUP BY kind", (day,)
        )
    }
    this_week = {
        r["kind"]: r["n"]
        for r in store.rows(
            "SELECT kind, count(*) AS n FROM feedback WHERE week = ? AND removed IS NULL GROUP BY kind", (week.key,)
        )
    }
    # Banners and letters always, as the park reports them; other kinds once any arrived.
    kinds = [k.value for k in FeedbackKind if k in ("banner", "letter") or to_date.get(k)]
    return {
        "this_week": {k: this_week.get(k, 0) for k in kinds},
        "to_date": {k: to_date.get(k, 0) for k in kinds},
    }


def _trend(store: Store, last: dates.Week, count: int, closed: dict | None = None) -> list[dict]:
    weeks = [last.previous(n) for n in range(count - 1, -1, -1)]
    opened = _counted_in(store, "opened", weeks[0].key, last.key)
    closed = closed if closed is not None else _closed_in(store, weeks[0].key, last.key)
    rows = []
    for w in weeks:
        sums = asof.park(store, w.end.isoformat())
        rows.append(
            {
                "week": w.key,
                "start": w.start.isoformat(),
                "end": w.end.isoformat(),
                "opened": opened.get(w.key, 0),
                "closed": sum(closed.get(w.key, {}).values()),
                "collected": sums["collected"],
                "closed_cumulative": sums["closed"],
                "closure_rate": Rate(sums["closed"], sums["collected"]),
            }
        )
    return rows


def weekly(store: Store, week: dates.Week) -> dict:
    """Everything domain.md's "What a weekly report shows" lists, for week W as of its Sunday
    (or today, for the current week)."""
    day = as_of(week)
    with store.snapshot():
        return _weekly(store, week, day)


def _weekly(store: Store, week: dates.Week, day: str) -> dict:
    headline, per_category, pending = cumulative(store, day)
    closed_in = _closed_in(store, week.previous(TREND_WEEKS - 1).key, week.key)  # this week's and the trend's
    return {
        "week": week.key,
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
        "as_of": day,
        "visits": _visits(store, week),
        "this_week": _this_week(store, week, closed_in),
        "cumulative": headline,
        "by_category": _by_category(store, per_category, pending, day),
        "by_officer": _by_officer(store, week, pending, day),
        "oldest_open": _oldest_open(store, pending, day),
        "feedback": _feedback(store, week, day),
        "trend": _trend(store, week, TREND_WEEKS, closed_in),
    }


def trend(store: Store, weeks: int = TREND_WEEKS, until: date | None = None) -> dict:
    last = dates.week_of(until or dates.today())
    with store.snapshot():
        return {"until": last.end.isoformat(), "weeks": _trend(store, last, weeks)}


# Each live ticket of the cohort (opened in [since, until]) with the span in force at the
# end of `until`: its state then, owner and department included (domain.md: as of D).
_COHORT = f"""
WITH state AS (
    SELECT {{key}} AS key,
        {indicator("closed")} AS closed, {indicator("solved")} AS solved, {indicator("on_time")} AS on_time,
        CASE WHEN s.status = 'closed'
            THEN CAST(julianday(s.closed_on) - julianday(t.opened_on) AS INTEGER) END AS days
    FROM tickets t JOIN enterprises e ON e.id = t.enterprise_id
    JOIN spans s ON {asof.SPAN_ON.replace(":day", ":until")}
    WHERE t.removed IS NULL AND t.opened_on >= :since AND t.opened_on <= :until
),
ranked AS (
    SELECT key, days,
        ROW_NUMBER() OVER (PARTITION BY key ORDER BY days) AS rn,
        COUNT(*) OVER (PARTITION BY key) AS n
    FROM state WHERE days IS NOT NULL
)
SELECT s.key, count(*) AS collected, SUM(s.closed) AS closed, SUM(s.solved) AS solved,
    SUM(s.on_time) AS on_time, r.median_days_to_close, r.p90_days_to_close
FROM state s LEFT JOIN (
    -- median: the middle value, or the mean of the two middle ones; p90: nearest rank, ceil(0.9 n)
    SELECT key,
        AVG(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN days END) AS median_days_to_close,
        MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN days END) AS p90_days_to_close
    FROM ranked GROUP BY key
) r ON r.key IS s.key
GROUP BY s.key
ORDER BY s.key
"""

# What each --by groups on; fixed SQL fragments, never user text.
_KEYS = {
    "category": "t.category",
    "enterprise": "e.name",
    "sector": "e.sector",
    "department": "s.department",
    "week": "t.opened_week",
    "officer": "(SELECT name FROM officers WHERE id = s.owner_id)",
    "total": "'total'",
}


def _closure_row(r: dict) -> dict:
    median = r["median_days_to_close"]
    return {
        "collected": r["collected"],
        "closed": r["closed"],
        "solved": r["solved"],
        "closure_rate": Rate(r["closed"], r["collected"]),
        "resolution_rate": Rate(r["solved"], r["collected"]),
        "median_days_to_close": None if median is None else (int(median) if median == int(median) else median),
        "p90_days_to_close": r["p90_days_to_close"],
        "on_time": r["on_time"],
        "on_time_rate": Rate(r["on_time"], r["closed"]),
    }


def closure(store: Store, since: date | None = None, until: date | None = None, by: str = "category") -> dict:
    """Closure of the tickets opened in [since, until], as of `until` (default today)."""
    if by not in CLOSURE_DIMENSIONS:
        raise ValueError(by)
    end = (until or dates.today()).isoformat()
    params = {"since": since.isoformat() if since else "0000-01-01", "until": end}
    labels = {c["code"]: c for c in refs.categories(store)} if by == "category" else {}
    with store.snapshot():
        rows = [
            {"key": r["key"], "label": r["key"], **category_labels(labels.get(r["key"])), **_closure_row(r)}
            for r in store.rows(_COHORT.format(key=_KEYS[by]), params)
        ]
        total = store.rows(_COHORT.format(key=_KEYS["total"]), params)
    if by == "category":
        order = {code: i for i, code in enumerate(labels)}
        rows.sort(key=lambda r: order.get(r["key"], len(order)))
    empty = {
        "collected": 0,
        "closed": 0,
        "solved": 0,
        "on_time": 0,
        "median_days_to_close": None,
        "p90_days_to_close": None,
    }
    return {
        "since": since.isoformat() if since else None,
        "until": end,
        "by": by,
        "rows": rows,
        "total": _closure_row(total[0] if total else empty),
    }
