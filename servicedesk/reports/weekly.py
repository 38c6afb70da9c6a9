"""The weekly report and the trend (domain.md "What a weekly report shows").

Cumulative figures come from the tallies and the spans (derive.py), so a weekly report
costs the same at 10k tickets as at 1M; a week's own activity comes from the activity
table's ISO-week keys. Every rate is a models.Rate that carries its counts.
"""

from datetime import date

from .. import dates
from ..errors import InvalidInput
from ..i18n import _
from ..models import FeedbackKind, Rate, assigned_sql
from ..store import Store
from ..views import asof, delivered, refs
from ..views import calendar as calendar_views
from ..views import tickets as ticket_views
from ..views import visits as visit_views

TREND_WEEKS = 8
OLDEST_OPEN = 10
REPEAT_WINDOW_DAYS = 90  # a problem raised again within this many days is a repeat (重复诉求)


def as_of(week: dates.Week) -> str:
    """The day a week's report is as of: its Sunday, or today for the current week
    (nothing is overdue before it is due). A week that has not begun has no report."""
    today = dates.today()
    if week.start > today:
        raise InvalidInput(
            _("{key} has not begun yet (it starts on {start}); nothing to report").format(
                key=week.key, start=week.start.isoformat()
            )
        )
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
        WITH assigned AS (SELECT DISTINCT enterprise_id FROM ({visit_views.ASSIGNED_IN_WEEK}) AS a)
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
            -- each ticket's latest close of the week
            SELECT week, outcome, ROW_NUMBER() OVER (PARTITION BY week, ticket_id ORDER BY on_date DESC, seq DESC) AS nth
            FROM activity WHERE kind = 'closed' AND week BETWEEN ? AND ?
        ) AS closes WHERE nth = 1 GROUP BY week, outcome
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


def weekly(store: Store, week: dates.Week, *, every_open: bool = False) -> dict:
    """Everything domain.md's "What a weekly report shows" lists, for week W as of its Sunday
    (or today, for the current week). With `every_open`, also every ticket not closed then
    (the workbook forwarded upward lists them all, not only the oldest ten)."""
    day = as_of(week)
    with store.snapshot():
        data = _weekly(store, week, day)
        if every_open:
            pending = sorted(asof.pending(store, day), key=lambda t: (t["opened_on"], t["id"]))
            data["open_tickets"] = as_of_items(store, pending, day)
        return data


def _deadlines(store: Store, week: dates.Week, pending: list[dict], day: str) -> dict:
    """Part 9: the tickets not closed by their light on the day, and this week's extensions,
    urgings and supervisions (each ticket once)."""
    yellow_days = calendar_views.yellow_days(store)
    until = calendar_views.yellow_until(store, date.fromisoformat(day))
    lights = [calendar_views.light(t["due_on"], day, until) for t in pending]
    supervised = sorted((t for t in pending if t["supervised"]), key=lambda t: (t["opened_on"], t["id"]))
    return {
        "red": lights.count("red"),
        "yellow": lights.count("yellow"),
        "green": lights.count("green"),
        "yellow_days": yellow_days,
        **{
            kind: _counted_in(store, kind, week.key, week.key).get(week.key, 0)
            for kind in ("extended", "urged", "supervised")
        },
        "supervised_list": as_of_items(store, supervised, day),
    }


def _follow_up(store: Store, week: dates.Week, sums: dict[str, int]) -> dict:
    """Part 10: follow-ups this week, the follow-up, satisfaction, redo and reopen rates as
    of the day, and the repeat problems raised this week."""
    repeats = repeat_problems(store, week)
    return {
        "this_week": _counted_in(store, "followed_up", week.key, week.key).get(week.key, 0),
        "follow_up_rate": Rate(sums["followed"], sums["closed"]),
        "satisfaction_rate": Rate(sums["satisfied"], sums["with_follow_up"]),
        "redo_rate": Rate(sums["redone"], sums["ever_closed"]),
        "reopen_rate": Rate(sums["reopened"], sums["ever_closed"]),
        "repeat_problems": len(repeats),
        "repeat_list": ticket_views.items(
            store, f"t.id IN ({', '.join('?' for _ in repeats)})", tuple(repeats), "t.opened_on, t.id"
        )
        if repeats
        else [],
    }


def repeat_problems(store: Store, week: dates.Week) -> list[int]:
    """Tickets opened in the week for an enterprise that already had a ticket in the same
    category opened within the previous REPEAT_WINDOW_DAYS days (domain.md 重复诉求)."""
    window = f"-{REPEAT_WINDOW_DAYS} days"
    return [
        r[0]
        for r in store.conn.execute(
            # A scalar subquery, not EXISTS: PostgreSQL would turn EXISTS into a join hashing
            # every ticket; this looks up each of the week's tickets in tickets_enterprise.
            f"""SELECT t.id FROM tickets t WHERE t.opened_week = ? AND t.removed IS NULL AND (
                SELECT 1 FROM tickets p WHERE p.enterprise_id = t.enterprise_id AND p.category = t.category
                AND p.removed IS NULL AND p.id != t.id AND p.opened_on >= date(t.opened_on, '{window}')
                AND (p.opened_on < t.opened_on OR (p.opened_on = t.opened_on AND p.id < t.id)) LIMIT 1) IS NOT NULL
            ORDER BY t.opened_on, t.id""",
            (week.key,),
        )
    ]


def _weekly(store: Store, week: dates.Week, day: str) -> dict:
    headline, per_category, pending = cumulative(store, day)
    closed_in = _closed_in(store, week.previous(TREND_WEEKS - 1).key, week.key)  # this week's and the trend's
    return {
        "park": calendar_views.settings(store)["park"],
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
        "deadlines": _deadlines(store, week, pending, day),
        "follow_up": _follow_up(store, week, asof.total(per_category)),
        "services": delivered.weekly(store, week, day),
    }


def trend(store: Store, weeks: int = TREND_WEEKS, until: date | None = None) -> dict:
    last = dates.week_of(until or dates.today())
    with store.snapshot():
        return {"until": last.end.isoformat(), "weeks": _trend(store, last, weeks)}
