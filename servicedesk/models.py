"""The vocabulary of the domain: statuses, outcomes, categories and the rules between them.

No I/O here; every other module may import this one.
"""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache


class Status(StrEnum):
    open = "open"
    in_progress = "in_progress"
    closed = "closed"


class Outcome(StrEnum):
    resolved = "resolved"
    explained = "explained"
    withdrawn = "withdrawn"


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class Channel(StrEnum):
    onsite = "onsite"
    online = "online"
    phone = "phone"
    event = "event"


class Rank(StrEnum):
    county = "county"
    section = "section"
    chief = "chief"
    staff = "staff"


class Kind(StrEnum):
    enterprise = "enterprise"
    project = "project"


class FeedbackKind(StrEnum):
    banner = "banner"
    letter = "letter"
    praise = "praise"
    complaint = "complaint"
    rating = "rating"


class FollowUpResult(StrEnum):
    satisfied = "satisfied"
    basically = "basically"
    unsatisfied = "unsatisfied"


class Light(StrEnum):
    red = "red"
    yellow = "yellow"
    green = "green"


class ServiceKind(StrEnum):
    diagnosis = "diagnosis"
    training = "training"
    briefing = "briefing"
    pass_ = "pass"
    funds = "funds"
    financing = "financing"
    other = "other"


class StatusFilter(StrEnum):
    active = "active"
    open = "open"
    in_progress = "in_progress"
    closed = "closed"
    all = "all"


# (code, English label, Chinese label, default days to the due date) — domain.md.
DEFAULT_CATEGORIES = (
    ("financing", "Financing", "融资", 30),
    ("labour", "Labour shortage", "用工", 15),
    ("permits", "Permits and approvals", "手续办理", 15),
    ("land", "Land", "用地", 30),
    ("utilities", "Utilities", "水电气暖", 7),
    ("logistics", "Logistics", "物流运输", 7),
    ("policy", "Policy funds", "政策兑现", 30),
    ("technology", "Technology upgrade", "技术改造", 30),
    ("market", "Market", "市场", 30),
    ("other", "Other", "其他", 15),
)

# Chinese words officers use for ranks, channels and feedback kinds.
RANK_LABELS = {"county": "县级", "section": "科级", "chief": "首席服务员", "staff": "工作人员"}
CHANNEL_LABELS = {"onsite": "实地", "online": "线上", "phone": "电话", "event": "活动"}
FEEDBACK_LABELS = {
    "banner": "锦旗",
    "letter": "感谢信",
    "praise": "表扬",
    "complaint": "投诉",
    "rating": "满意度评价",
}
STATUS_LABELS = {"open": "待办理", "in_progress": "办理中", "closed": "已办结"}
OUTCOME_LABELS = {"resolved": "已解决", "explained": "解释说明", "withdrawn": "撤回"}
SERVICE_LABELS = {
    "diagnosis": "诊断",
    "training": "培训",
    "briefing": "政策宣讲",
    "pass": "车辆通行证",
    "funds": "资金申报",
    "financing": "融资对接",
    "other": "其他",
}
PRIORITY_LABELS = {"low": "低", "normal": "一般", "high": "高", "urgent": "紧急"}
# A ticket's history, and the other words lists show for codes (`--lang zh`).
EVENT_LABELS = {
    "opened": "登记",
    "started": "开始办理",
    "assigned": "转派",
    "referred": "交办",
    "note": "备注",
    "closed": "办结",
    "reopened": "重新打开",
    "edited": "更正",
    "deleted": "删除",
    "extended": "延期",
    "urged": "催办",
    "supervised": "督办",
    "followed_up": "回访",
}
LIGHT_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
KIND_LABELS = {"enterprise": "企业", "project": "项目"}
SOURCE_LABELS = {"package": "国家法定", "park": "园区"}
WEEKDAY_LABELS = {
    "Mon": "周一",
    "Tue": "周二",
    "Wed": "周三",
    "Thu": "周四",
    "Fri": "周五",
    "Sat": "周六",
    "Sun": "周日",
}
RESULT_LABELS = {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}


# Every way a value is written (code, Chinese label, common synonyms) → its code, for
# the CLI's choice options and the imports alike.
def _words(labels: dict[str, str], extra: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """value as written → code: the code itself, its Chinese label, and the extras."""
    table = {}
    for code in {*labels, *extra}:
        for word in (code, code.replace("_", " "), labels.get(code, code), *extra.get(code, ())):
            table[word_key(word)] = code
    return table


def word_key(text: str) -> str:
    # Full-width letters, stray spaces and case never change what a header or value means.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


# A long-running problem the office keeps pushing: in progress, whatever its deadline.
_LONG_TERM = ("长期", "长期推进", "长期跟踪", "持续推进")
# The synonyms beyond each code's Chinese label.
_SYNONYMS = {
    "status": (
        STATUS_LABELS,
        {
            "open": ("未办结", "待办", "未办理", "未解决", "未完成", "未落实", "待解决", "待落实", "未开始"),
            "in_progress": (
                "正在办理",
                "推进中",
                "在办",
                "办理中",
                "跟进中",
                "进行中",
                "协调中",
                "正在推进",
                *_LONG_TERM,
            ),
            "closed": ("办结", "已完成", "完成", "已落实", "落实", "已解决", "解决", "已办", "已结", "结办"),
        },
    ),
    # `ticket list --status`: a filter, so 未办结 (not closed yet) is open and in progress.
    "status_filter": (
        {"active": "未办结", "open": "待办理", "in_progress": "办理中", "closed": "已办结", "all": "全部"},
        {
            "active": ("在办", "未完成", "未解决"),
            "open": ("待办", "未办理", "未开始"),
            "in_progress": ("正在办理", "推进中", "跟进中", "进行中"),
            "closed": ("办结", "已完成", "完成", "已解决", "已办"),
            "all": ("所有",),
        },
    ),
    "outcome": (
        OUTCOME_LABELS,
        {
            "resolved": ("解决", "已落实", "落实", "完成", "已完成", "已办结", "办结", "办结销号", "已销号"),
            "explained": ("已解释", "解释", "已答复", "答复", "已说明", "说明", "解释到位", "已解释说明"),
            "withdrawn": ("已撤回", "撤销", "已撤销", "企业撤回", "不再办理"),
        },
    ),
    "priority": (PRIORITY_LABELS, {"normal": ("普通", "中"), "high": ("重要",), "urgent": ("急",)}),
    "channel": (
        CHANNEL_LABELS,
        {"onsite": ("现场", "上门", "实地走访"), "online": ("视频", "网上"), "event": ("惠企日",)},
    ),
    "kind": (KIND_LABELS, {"project": ("在建项目",)}),
    "rank": (
        RANK_LABELS,
        {
            "county": ("县级领导", "县处级", "副县级", "正县级", "县级干部", "处级", "副处级", "正处级"),
            "section": ("科级干部", "副科级", "正科级", "科长", "副科长", "科级领导"),
            "chief": ("首席服务专员", "首席服务官", "首席专员", "首席"),
            "staff": ("一般干部", "科员", "办事员", "工作人员", "干部", "职员"),
        },
    ),
    "feedback": (FEEDBACK_LABELS, {"rating": ("评价", "满意度"), "letter": ("表扬信",)}),
    "service": (
        SERVICE_LABELS,
        {"diagnosis": ("智能化诊断", "专家诊断"), "briefing": ("宣讲",), "pass": ("通行证",), "funds": ("专项资金",)},
    ),
    "light": (
        LIGHT_LABELS,
        {"red": ("红", "超期"), "yellow": ("黄",), "green": ("绿",)},
    ),
    "result": (
        RESULT_LABELS,
        {"satisfied": ("很满意",), "basically": ("比较满意", "一般"), "unsatisfied": ("不太满意",)},
    ),
}


@cache
def words(vocabulary: str) -> dict[str, str]:
    """The table of one vocabulary (status, outcome, priority, channel, kind, rank, feedback),
    built on first use: the CLI imports this module for --help."""
    return _words(*_SYNONYMS[vocabulary])


# An assignment (包联) covers start_on up to the day before end_on (NULL: still on); one
# ended on its first day covers nothing. Assigned on day D = assigned between D and D.
def assigned_between(start_on: str, end_on: str | None, first: str, last: str) -> bool:
    """Whether an assignment covers any day of [first, last] (ISO dates)."""
    return start_on <= last and (end_on is None or (end_on > first and end_on > start_on))


def assigned_sql(alias: str = "a", first: str = ":start", last: str = ":end") -> str:
    """assigned_between as an SQL condition on an assignments row. `alias`, `first` and
    `last` are SQL (an alias, a column, a :parameter), never user text."""
    a = f"{alias}." if alias else ""
    return f"({a}start_on <= {last} AND ({a}end_on IS NULL OR ({a}end_on > {first} AND {a}end_on > {a}start_on)))"


_AMOUNT = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万|亿)?\s*元?$")
_MAX_FEN = 10**17  # a thousand trillion yuan: beyond any park's funds, and within SQLite's integers


def parse_amount(text: str) -> int | None:
    """An amount of money in fen (1/100 yuan): 25170000, 25,170,000, 2517万, 2517万元, 1.2亿;
    None when the text is not one."""
    from decimal import Decimal

    m = _AMOUNT.match(unicodedata.normalize("NFKC", str(text)).strip())
    if not m:
        return None
    value = Decimal(m[1].replace(",", "")) * {None: 1, "万": 10_000, "亿": 100_000_000}[m[2]] * 100
    if value != value.to_integral_value() or not 0 <= value < _MAX_FEN:
        return None
    return int(value)


def yuan(fen: int | None) -> int | float | None:
    """Fen as yuan for JSON: a whole number when it is one."""
    if fen is None:
        return None
    return fen // 100 if fen % 100 == 0 else fen / 100


def rate(numerator: int, denominator: int) -> float | None:
    """A percentage rounded half-up to one decimal with exact arithmetic; None for 0/0.

    rate(1, 16) == 6.3 (6.25 rounds up, where float rounding gives 6.2).
    """
    if not denominator:
        return None
    from fractions import Fraction  # not at the top: the CLI imports this module for --help

    tenths = Fraction(numerator * 1000, denominator) + Fraction(1, 2)
    return math.floor(tenths) / 10


def rate_sql(numerator: str, denominator: str) -> str:
    """rate() as an SQL expression on two integer columns (the published views, publish.py):
    floor(n * 1000 / d + 1/2) / 10 in integer arithmetic, so it rounds as rate() does; NULL for 0/0."""
    n, d = f"({numerator})", f"({denominator})"
    return f"(CASE WHEN COALESCE({d}, 0) = 0 THEN NULL ELSE ({n} * 2000 + {d}) / (2 * {d}) / 10.0 END)"


@dataclass(frozen=True)
class Rate:
    """A rate with the counts it is made of: reports make it once, every format prints it.

    JSON shows only the value (97.8, or null for 0/0); tables and files show it with its
    numerator and denominator, "97.8% (90/92)", without pairing counts up again.
    """

    num: int
    den: int
    value: float | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", rate(self.num, self.den))

    def __str__(self) -> str:
        """97.8%, or — for 0/0."""
        return "—" if self.value is None else f"{self.value:.1f}%"

    def full(self) -> str:
        """97.8% (90/92), or — for 0/0."""
        return "—" if self.value is None else f"{self} ({self.num}/{self.den})"


# C0/C1 control characters other than tab and newline (terminal escapes live here), and
# the bidirectional overrides that make text read differently from what is stored.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_line(text: str | None) -> str | None:
    """A name or title: clean_text, with every run of whitespace (newlines, tabs) one space,
    so two names that look alike are alike."""
    text = clean_text(text)
    return " ".join(text.split()) if text else None


def strip_control(text: str) -> str:
    return _CONTROL.sub("", text)


def clean_text(text: str | None) -> str | None:
    """User text as stored: control characters (terminal escapes) removed, ends trimmed."""
    if text is None:
        return None
    text = strip_control(text).strip()
    return text or None


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sheet_value(value):
    """A value as a spreadsheet cell holds it: a flag as yes/no, a list joined by "; ",
    anything else as it is."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return value


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def safe_cell(value):
    """A CSV cell value that no spreadsheet will run as a formula: sheet_value, with a
    leading ' on text that starts like one (imports take it off again). XLSX needs no
    quote: there such text is a string cell (render/xlsx.py)."""
    value = sheet_value(value)
    return "'" + value if looks_like_formula(value) else value
