"""Reports over a cohort: the tickets opened in [since, until], each with its state as of
`until` (the span in force then: owner and department as of the day, domain.md)."""

from datetime import date

from .. import dates
from ..derive import indicator
from ..models import Rate
from ..store import Store
from ..views import asof, refs
from .weekly import category_labels

CLOSURE_DIMENSIONS = ("category", "officer", "enterprise", "sector", "department", "week")


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
GROUP BY s.key, r.median_days_to_close, r.p90_days_to_close
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


# The department scorecard (部门考核): per department a ticket was referred to, as of `until`
# (also the published site's canned query, site/metadata.py).
SCORECARD = f"""
SELECT s.department AS department, count(*) AS referred,
    {
    ", ".join(
        f"SUM({indicator(f)}) AS {f}"
        for f in ("closed", "on_time", "extended", "urged", "supervised", "redone", "satisfied", "with_follow_up")
    )
},
    SUM(CASE WHEN s.status != 'closed' AND s.due_on < :until THEN 1 ELSE 0 END) AS overdue
FROM tickets t JOIN spans s ON {asof.SPAN_ON.replace(":day", ":until")}
WHERE t.removed IS NULL AND t.opened_on >= :since AND t.opened_on <= :until AND s.department IS NOT NULL
GROUP BY s.department
ORDER BY count(*) DESC, s.department
"""


def departments(store: Store, since: date | None = None, until: date | None = None) -> dict:
    """How each department handled what was referred to it (tickets opened in [since, until])."""
    end = (until or dates.today()).isoformat()
    params = {"since": since.isoformat() if since else "0000-01-01", "until": end}
    with store.snapshot():
        found = store.rows(SCORECARD, params)
    rows = [
        {
            "department": r["department"],
            "referred": r["referred"],
            "closed": r["closed"],
            "on_time": r["on_time"],
            "on_time_rate": Rate(r["on_time"], r["closed"]),
            "overdue": r["overdue"],
            "extended": r["extended"],
            "urged": r["urged"],
            "supervised": r["supervised"],
            "redone": r["redone"],
            "satisfaction_rate": Rate(r["satisfied"], r["with_follow_up"]),
        }
        for r in found
    ]
    return {"since": since.isoformat() if since else None, "until": end, "rows": rows}
