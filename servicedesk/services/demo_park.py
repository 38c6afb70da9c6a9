"""The demo park's generator: deterministic rows for a seed, table by table, a batch at a time
(services/demo.py writes them). No I/O."""

import bisect
import itertools
import math
import random
from datetime import date, timedelta

from .. import dates
from ..life import EventKind, next_status
from . import demo_words as words

DATA_TABLES = ("services", "feedback", "events", "tickets", "visits", "assignments", "officers", "enterprises")
# The worked example: 92 problems over 65 enterprises × 12 weeks, 2 still open.
EXAMPLE_PROBLEMS, EXAMPLE_OPEN, EXAMPLE_VISITS, EXAMPLE_WEEKS = 92, 2, 65 * 12, 12
BANNERS_PER_PROBLEM, LETTERS_PER_PROBLEM = 4 / 92, 3 / 92
OFFICERS_PER_ENTERPRISE = 18 / 65
ESCALATE_EVERY = 40  # one ticket in this many goes up to a county or section leader
FLUSH_ROWS = 20_000  # visit and event rows buffered before a batch goes to the database
TZ = "+08:00"  # the park's clock: timestamps are deterministic, not the machine's zone

# The seed's services delivered (domain.md): kind → (enterprises served, total quantity, total yuan).
SERVICES = {
    "diagnosis": (6, None, None),
    "training": (12, 240, None),
    "briefing": (10, None, None),
    "pass": (9, 135, None),
    "funds": (5, None, 25_170_000),
}


_CHANNELS = list(words.VISIT_NOTES)
_CHANNEL_CUM = list(itertools.accumulate(words.VISIT_NOTES[c][0] for c in _CHANNELS))
_WEEKDAY_CUM = list(itertools.accumulate(words.WEEKDAY_WEIGHTS))
_PRIORITY_CUM = list(itertools.accumulate(words.PRIORITY_WEIGHTS))
_VISIT_NOTES = {channel: notes.split("|") for channel, (_, notes) in words.VISIT_NOTES.items()}


def _at(day: str, seconds: int) -> str:
    """An ISO moment on an ISO day, `seconds` after midnight on the park's clock."""
    seconds = min(seconds, 86_399)
    return f"{day}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{TZ}"


def _person(rng: random.Random) -> str:
    given = rng.choice(words.GIVEN) + (rng.choice(words.GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(words.SURNAMES) + given


def _unique(rng: random.Random, taken: set[str], make) -> str:
    """A name not yet taken; a numbered variant once the composed names run out."""
    for _attempt in range(40):
        name = make()
        if name not in taken:
            break
    base, n = name, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name


class Park:
    """The plan of one demo park; `rows()` yields (table, batch of rows) in insert order."""

    def __init__(self, enterprises: int, weeks: int, seed: int, problems: int | None, open_tickets: int | None,
                 today: date, categories: list[tuple[str, int, str]]):  # fmt: skip
        self.rng = random.Random(seed)
        self.seed = seed
        self.feedback_rng = random.Random(f"{seed}/feedback")
        # Deadlines, follow-up and services draw from their own generators, so the park's
        # tickets, visits and feedback are the same whether or not these are in it.
        self.programme_rng = random.Random(f"{seed}/programme")
        self.n_enterprises, self.n_weeks = enterprises, weeks
        self.last_week = dates.week_of(today).previous()
        self.first_week = self.last_week.previous(weeks - 1)
        self.last_day = self.last_week.end
        self.created_at = _at((self.first_week.start - timedelta(days=7)).isoformat(), 9 * 3600)
        visits = enterprises * weeks
        self.n_problems = round(EXAMPLE_PROBLEMS * visits / EXAMPLE_VISITS) if problems is None else problems
        if open_tickets is None:
            # Intake per week, not history, sets the backlog: 92 over 12 weeks leaves 2 open.
            per_week = self.n_problems / weeks
            open_tickets = round(per_week * EXAMPLE_OPEN * EXAMPLE_WEEKS / EXAMPLE_PROBLEMS)
        self.n_open = min(open_tickets, self.n_problems)
        self.redos, self.redo_from = 0, self.programme_rng.randrange(max(1, self.n_problems // 3))
        # The open tickets are among the most recent ones; everything older gets closed.
        window = min(self.n_problems, max(self.n_open, math.ceil(self.n_open * 1.5)))
        self.closed_until = self.n_problems - window
        self.open_set = set(self.rng.sample(range(self.closed_until, self.n_problems), self.n_open))
        self.n_banners = round(self.n_problems * BANNERS_PER_PROBLEM)
        self.n_letters = round(self.n_problems * LETTERS_PER_PROBLEM)
        self.categories = categories  # (code, due days, Chinese label)
        self.category_cum = list(itertools.accumulate(words.PROBLEMS[code][0] for code, _, _ in categories))
        self.days: dict[date, tuple[str, str]] = {}  # date → (ISO date, ISO week): made once per day
        self.cases = {
            code: [line.strip().split("|") for line in text.splitlines()] for code, (_, text) in words.PROBLEMS.items()
        }
        self.counts = dict.fromkeys(DATA_TABLES, 0)
        # One ticket in 40 is escalated, at a seeded offset: the default park always has a couple.
        self.escalate_at = self.rng.randrange(ESCALATE_EVERY)
        self.brands = [a + b for a in words.BRAND_1 for b in words.BRAND_2 if a != b and a + b not in words.FAMOUS]

    # People and enterprises ----------------------------------------------------------

    def _officers(self) -> list[dict]:
        rng, n = self.rng, max(1, min(self.n_enterprises, round(self.n_enterprises * OFFICERS_PER_ENTERPRISE)))
        county = min(8, max(1, round(n / 6))) if n > 2 else 0
        section = round((n - county) * 0.4)
        ranks = ["county"] * county + ["section"] * section + ["chief"] * (n - county - section)
        taken: set[str] = set()
        return [
            {"id": i + 1, "name": _unique(rng, taken, lambda: _person(rng)), "rank": rank,
             "unit": rng.choice(words.UNITS[rank]), "phone": rng.choice(words.PHONE) + f"{rng.randrange(10**8):08d}",
             "archived": 0, "created_at": self.created_at}
            for i, rank in enumerate(ranks)
        ]  # fmt: skip

    def _caseload(self, n_officers: int) -> list[int]:
        """Officer index per enterprise: some officers one-to-one (一包一), the rest one-to-many."""
        rng, sizes = self.rng, [1] * n_officers
        spare = self.n_enterprises - n_officers
        singles = min(n_officers - 1, max(1, n_officers // 4)) if spare else n_officers
        many = list(range(n_officers - singles))  # county and section first, then some chiefs
        for i in many:
            if spare:
                sizes[i], spare = sizes[i] + 1, spare - 1
        for i in rng.choices(many, k=spare) if many else ():
            sizes[i] += 1
        owners = [i for i, size in enumerate(sizes) for _ in range(size)]
        rng.shuffle(owners)
        return owners

    def _enterprise(self, i: int, taken: set[str]) -> dict:
        rng = self.rng
        sectors = list(words.SECTORS)
        sector = rng.choices(sectors, [words.SECTORS[s][0] for s in sectors])[0]
        trades = words.SECTORS[sector][1].split()
        project = rng.random() < 0.08

        def name() -> str:
            return rng.choice(self.brands) + rng.choice(trades) + (rng.choice(words.PROJECT) if project else "")

        return {
            "id": i + 1, "name": _unique(rng, taken, name), "sector": sector,
            "kind": "project" if project else "enterprise", "contact": _person(rng),
            "phone": rng.choice(words.PHONE) + f"{rng.randrange(10**8):08d}",
            "address": f"{rng.choice(words.ROADS)}{rng.randint(1, 399)}号", "note": None, "archived": 0,
            "created_at": self.created_at,
        }  # fmt: skip

    # The history -------------------------------------------------------------------

    def rows(self):
        officers = self._officers()
        self.officers = officers
        self.leaders = [o["id"] for o in officers if o["rank"] != "chief"][:8] or [o["id"] for o in officers[:8]]
        owners = self._caseload(len(officers))
        taken: set[str] = set()
        enterprises = [self._enterprise(i, taken) for i in range(self.n_enterprises)]
        start = self.first_week.start.isoformat()
        yield "officers", officers
        yield "enterprises", enterprises
        yield (
            "assignments",
            [
                {"id": i + 1, "officer_id": owners[i] + 1, "enterprise_id": i + 1, "start_on": start, "end_on": None}
                for i in range(self.n_enterprises)
            ],
        )
        self.owner_of = [o + 1 for o in owners]
        del enterprises, taken
        self.ticket_index, self.event_id, self.feedback_id, self.visit_id = 0, 0, 0, 0
        self._next_feedback = self._feedback_picks()
        self.feedback_due = next(self._next_feedback, None)
        buffer = {"visits": [], "tickets": [], "events": [], "feedback": []}
        for w in range(self.n_weeks):
            for _week_done in self._week(self.first_week.previous(-w), w, buffer):
                yield from self._flush(buffer)
        yield from self._flush(buffer)
        yield "services", self._services()

    @staticmethod
    def _flush(buffer: dict):
        # Visits before the tickets raised on them, tickets before their events and feedback.
        for table in ("visits", "tickets", "events", "feedback"):
            if buffer[table]:
                yield table, buffer[table]
                buffer[table] = []

    def _int(self, lo: int, hi: int) -> int:
        """Uniform in lo..hi: rng.randint is ten times slower, and this runs millions of times."""
        return lo + int(self.rng.random() * (hi - lo + 1))

    def _one(self, seq):
        return seq[int(self.rng.random() * len(seq))]

    def _weighted(self, seq, cum_weights: list[int]):
        return seq[bisect.bisect(cum_weights, self.rng.random() * cum_weights[-1])]

    def _week(self, week: dates.Week, w: int, buffer: dict):
        """Fill the buffer with a week of visits and the problems raised on them; yields when it is full."""
        rng = self.rng
        quota = self.n_problems * (w + 1) // self.n_weeks - self.n_problems * w // self.n_weeks
        raised: dict[int, int] = {}
        for e in rng.choices(range(self.n_enterprises), k=quota):
            raised[e] = raised.get(e, 0) + 1
        n = self.n_enterprises
        channels = rng.choices(_CHANNELS, cum_weights=_CHANNEL_CUM, k=n)
        offsets = rng.choices(range(7), cum_weights=_WEEKDAY_CUM, k=n)
        # The enterprise-service day (惠企日) is the Thursday of the week.
        planned = sorted(
            (3 if c == "event" else d, e, c) for e, (d, c) in enumerate(zip(offsets, channels, strict=True))
        )
        days = [week.start + timedelta(days=i) for i in range(7)]
        for offset, e, channel in planned:
            day = days[offset]
            self.visit_id += 1
            officer = self.officers[self.owner_of[e] - 1]
            seconds = self._int(9 * 3600, 17 * 3600)
            recorded_at = _at(self._day(day)[0], seconds)
            labels = [self._ticket(e, day, seconds, recorded_at, buffer) for _ in range(raised.get(e, 0))]
            note = self._one(_VISIT_NOTES[channel])
            if labels:
                note += f"；企业反映{'、'.join(dict.fromkeys(labels))}问题，已登记跟进"
            buffer["visits"].append({
                "id": self.visit_id, "enterprise_id": e + 1, "officer_id": officer["id"],
                "visited_on": self._day(day)[0], "week": week.key, "channel": channel, "note": note,
                "recorded_at": recorded_at, "recorded_by": officer["name"],
            })  # fmt: skip
            if len(buffer["events"]) + len(buffer["visits"]) >= FLUSH_ROWS:
                yield

    def _close_day(self, opened: date, due_days: int) -> date:
        """Most close within a week or two and within the time limit, a few run late."""
        draw, quick = self.rng.random(), min(7, due_days)
        if draw < 0.1:
            days = due_days + self._int(1, 14)
        else:
            days = self._int(1, quick) if draw < 0.65 else self._int(quick, due_days)
        end = opened + timedelta(days=days)
        if end > self.last_day:
            # Spread rather than pile up on the last Sunday: the park clears its recent
            # problems before the report, but not all on one day.
            end = opened + timedelta(days=self._int(0, (self.last_day - opened).days))
        return end

    def _ticket(self, e: int, opened: date, seconds: int, recorded_at: str, buffer: dict) -> str:
        """One ticket and its history; returns its category's Chinese label."""
        rand = self.rng.random
        index, ticket_id = self.ticket_index, self.ticket_index + 1
        self.ticket_index += 1
        code, due_days, label = self._weighted(self.categories, self.category_cum)
        problem, settled, dept = self._one(self.cases[code])
        n = self._int(2, 30)
        owner = self.owner_of[e]
        is_open = index in self.open_set
        end = self.last_day if is_open else self._close_day(opened, due_days)
        span = (end - opened).days

        def within(limit: int) -> date:
            return opened + timedelta(days=self._int(0, min(limit, span)))

        steps = []  # (day, order, kind, fields)
        if rand() < (0.5 if is_open else 0.35):
            steps.append((within(2), 1, "started", {}))
        department = None
        if rand() < 0.06:
            department = dept
            steps.append((within(3), 2, "referred", {"department": department}))
        # A few go up to a county or section leader who can move the departments, on the
        # day they are raised: so the owner as of any report day is the current one, and
        # an exported ledger (which has only the current owner) re-imports to the same figures.
        if index % ESCALATE_EVERY == self.escalate_at and (leaders := [o for o in self.leaders if o != owner]):
            steps.append((opened, 3, "assigned", {"owner_id": self._one(leaders)}))
        if rand() < 0.12:
            steps.append((within(span), 4, "note", {"note": self._one(words.PROGRESS).format(dept=dept)}))
        before, after = self._programme(index, opened, end, is_open, due_days, dept, department is not None)
        steps += before
        steps.sort(key=lambda s: (s[0], s[1]))
        resolution = None if is_open else settled.format(n=n)
        if not is_open:
            steps.append((end, 9, "closed", {"note": resolution, "outcome": "resolved"}))
        steps += after
        events = buffer["events"]
        due_on = base_due = (opened + timedelta(days=due_days)).isoformat()
        self._event(events, ticket_id, opened, recorded_at, owner, "opened", {"owner_id": owner, "due_on": due_on})
        last_day, clock, status, current = opened, seconds, next_status(None, EventKind.opened), owner
        closed_on, supervised, urged, result = None, 0, 0, None
        for day, _order, kind, fields in steps:
            clock = clock + self._int(300, 5400) if day == last_day else self._int(8 * 3600 + 1800, 18 * 3600)
            last_day = day
            # Nobody grades their own work: a follow-up is made by a leader other than the owner.
            actor = self._other(current) if kind == "followed_up" else current
            self._event(events, ticket_id, day, _at(self._day(day)[0], clock), actor, kind, fields)
            current = fields.get("owner_id", current)
            status = next_status(status, EventKind(kind))
            department = fields.get("department", department)
            due_on = fields.get("due_on", due_on) if kind == "extended" else due_on
            supervised = 1 if kind == "supervised" else 0 if kind == "closed" else supervised
            urged += kind == "urged"
            result = fields.get("result", result)
            if kind == "closed":
                closed_on, resolution = day, fields["note"]
        buffer["tickets"].append({
            "id": ticket_id, "enterprise_id": e + 1, "visit_id": self.visit_id, "category": code,
            "title": problem.format(n=n), "priority": self._weighted(words.PRIORITIES, _PRIORITY_CUM),
            "owner_id": current, "department": department, "opened_on": self._day(opened)[0],
            "opened_week": self._day(opened)[1], "due_on": due_on, "base_due_on": base_due,
            "status": status, "outcome": None if is_open else "resolved",
            "closed_on": None if is_open else self._day(closed_on)[0], "resolution": resolution,
            "supervised": supervised, "urged": urged, "follow_up": result,
        })  # fmt: skip
        if self.feedback_due and self.feedback_due[0] == index:
            self._feedback(buffer, e, ticket_id, end, label, self.feedback_due[1])
            self.feedback_due = next(self._next_feedback, None)
        return label

    def _programme(self, index, opened, end, is_open, due_days, dept, referred) -> tuple[list, list]:
        """Deadlines and follow-up (domain.md): referrals for the department scorecard, an
        extension asked before the due date for some late closes, urging, supervision, and
        follow-ups after a close (one of them unsatisfied: a redo, closed again).
        Returns the steps before the close and after it."""
        rng = self.programme_rng
        last = self.last_day if is_open else end

        def day_in(first: date, final: date) -> date:
            return first + timedelta(days=int(rng.random() * ((final - first).days + 1)))

        before, after = [], []
        if not referred and rng.random() < 0.3:
            before.append((day_in(opened, min(opened + timedelta(days=3), last)), 2, "referred", {"department": dept}))
        due = opened + timedelta(days=due_days)
        if not is_open and end > due and rng.random() < 0.5:
            new_due = end + timedelta(days=int(rng.random() * 4))
            before.append(
                (day_in(opened, due), 5, "extended", {"due_on": new_due.isoformat(), "note": "待审批，申请延期"})
            )
        if rng.random() < 0.06:
            before.append((day_in(opened, last), 6, "urged", {"note": "请加快办理"}))
        # Half the open tickets of the sample park (one of its two); in a large park a handful,
        # as a leadership's list is (it was 750 of 1,500 open, drowning the weekly report).
        if (is_open and rng.random() < min(0.5, 4 / max(1, self.n_open))) or rng.random() < 0.004:
            before.append((day_in(opened, last), 7, "supervised", {"note": "列入领导督办"}))
        if is_open or rng.random() >= 0.7:
            return before, after
        asked = end + timedelta(days=1 + int(rng.random() * 5))
        if asked > self.last_day:
            return before, after
        redo = index >= self.redo_from and self.redos * 100 <= index and asked + timedelta(days=7) <= self.last_day
        result = "unsatisfied" if redo else "satisfied" if rng.random() < 0.8 else "basically"
        after.append((asked, 10, "followed_up", {"result": result, "score": {"unsatisfied": 2}.get(result, 5)}))
        if redo:
            self.redos += 1
            again = asked + timedelta(days=1 + int(rng.random() * 6))
            after.append((asked, 11, "reopened", {"note": "重办：企业回访不满意", "redo": 1}))
            after.append((again, 12, "closed", {"note": "重新办理，企业认可", "outcome": "resolved"}))
        return before, after

    def _services(self) -> list[dict]:
        """The seed's services (SERVICES), spread over the weeks; a larger park gets more in
        proportion to its problems."""
        rng = random.Random(f"{self.seed}/services")
        scale = max(1, round(self.n_problems / EXAMPLE_PROBLEMS))
        days = (self.last_day - self.first_week.start).days
        rows = []
        for kind, (served, quantity, amount) in SERVICES.items():
            count = min(self.n_enterprises, served * scale)
            chosen = rng.sample(range(self.n_enterprises), count)
            for i, e in enumerate(chosen):
                day = self.first_week.start + timedelta(days=rng.randint(0, days))
                officer = self.officers[self.owner_of[e] - 1]
                rows.append({
                    "id": len(rows) + 1, "enterprise_id": e + 1, "kind": kind, "served_on": day.isoformat(),
                    "week": dates.week_key(day), "quantity": _share(quantity * scale, count, i) if quantity else None,
                    "amount_fen": _share(amount * 100 * scale, count, i) if amount else None,
                    "officer_id": officer["id"], "note": words.SERVICE_NOTES[kind], "recorded_at": _at(day.isoformat(), 10 * 3600),
                    "recorded_by": officer["name"], "removed": None,
                })  # fmt: skip
        rows.sort(key=lambda r: (r["served_on"], r["id"]))
        for number, row in enumerate(rows, start=1):
            row["id"] = number
        return rows

    def _other(self, officer_id: int) -> int:
        """A leader who is not `officer_id` (the first officers when every leader is)."""
        found = [o for o in self.leaders if o != officer_id] or [
            o["id"] for o in self.officers if o["id"] != officer_id
        ]
        return found[0] if found else officer_id

    def _day(self, day: date) -> tuple[str, str]:
        if (known := self.days.get(day)) is None:
            known = self.days[day] = (day.isoformat(), dates.week_key(day))
        return known

    def _event(self, events: list, ticket_id: int, day: date, at: str, actor_id: int, kind: str, fields: dict):
        self.event_id += 1
        on, week = self._day(day)
        events.append({
            "id": self.event_id, "ticket_id": ticket_id, "kind": kind, "on_date": on, "week": week, "at": at, "actor": self.officers[actor_id - 1]["name"],
            "note": fields.get("note"), "outcome": fields.get("outcome"), "owner_id": fields.get("owner_id"),
            "department": fields.get("department"), "due_on": fields.get("due_on"), "result": fields.get("result"),
            "score": fields.get("score"), "redo": fields.get("redo", 0),
        })  # fmt: skip

    def _feedback_picks(self):
        """(ticket index, kind) spread evenly over the closed tickets, in ticket order."""
        total = min(self.n_banners + self.n_letters, self.closed_until)
        for i in range(total):
            lo, hi = i * self.closed_until // total, (i + 1) * self.closed_until // total
            kind = "banner" if (i + 1) * self.n_banners // total > i * self.n_banners // total else "letter"
            yield lo + self.feedback_rng.randrange(max(1, hi - lo)), kind

    def _feedback(self, buffer: dict, e: int, ticket_id: int, closed: date, label: str, kind: str) -> None:
        rng = self.feedback_rng
        day = min(closed + timedelta(days=rng.randint(1, 10)), self.last_day)
        officer = self.officers[self.owner_of[e] - 1]
        if kind == "banner":
            note = f"赠送锦旗「{rng.choice(words.BANNERS)}」，感谢协调解决{label}问题"
        else:
            note = f"致感谢信，感谢{officer['name']}帮助解决{label}问题"
        self.feedback_id += 1
        buffer["feedback"].append({
            "id": self.feedback_id, "enterprise_id": e + 1, "kind": kind, "score": None, "ticket_id": ticket_id,
            "received_on": day.isoformat(), "week": dates.week_key(day), "note": note,
            "recorded_at": _at(day.isoformat(), rng.randint(9 * 3600, 17 * 3600)), "recorded_by": officer["name"],
        })  # fmt: skip


def _share(total: int, parts: int, i: int) -> int:
    """The i-th of `parts` whole shares of `total` that add up to it exactly."""
    return total * (i + 1) // parts - total * i // parts
