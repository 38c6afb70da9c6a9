"""The Datasette metadata of a published ledger: Chinese titles and descriptions of the
tables, views and columns, the internal tables hidden, and the canned queries leaders
open most ("本周报告", "未办结及超期", "按部门")."""

from ..derive import TABLES as DERIVED
from ..models import rate_sql
from ..reports.cohorts import SCORECARD
from .snapshot import TODAY

DATABASE = "servicedesk"  # the snapshot's file name, servicedesk.db, is Datasette's name for it

# table → (title, description, {column: description})
TABLES: dict[str, tuple[str, str, dict[str, str]]] = {
    "ledger": (
        "问题台账",
        "每个未删除的问题：企业、类别、责任人和中文的办理状态。超期 = 截至发布日未办结且已过办理时限。",
        {},
    ),
    "weekly_figures": (
        "每周指标",
        "每周截至周日（本周截至发布日）的累计收集、累计办结、累计解决、未办结、超期和办结率，与 servicedesk report "
        "weekly 同一口径；本周新增 / 本周办结为当周发生数。",
        {},
    ),
    "enterprises": (
        "企业",
        "园区企业和项目",
        {
            "name": "企业名称",
            "sector": "行业",
            "kind": "类型（enterprise 企业 / project 项目）",
            "contact": "联系人",
            "phone": "联系电话（未发布时为空）",
            "address": "地址",
            "note": "备注",
            "archived": "已归档（1 是）",
        },
    ),
    "officers": (
        "干部",
        "包联干部和首席服务员",
        {"name": "姓名", "rank": "职级", "unit": "单位", "phone": "电话（未发布时为空）", "archived": "已归档（1 是）"},
    ),
    "assignments": (
        "包联",
        "干部包联企业：从 start_on 起，到 end_on 前一天止（空 = 仍在包联）",
        {"officer_id": "干部", "enterprise_id": "企业", "start_on": "起始日期", "end_on": "终止日期"},
    ),
    "visits": (
        "走访记录",
        "每次走访；removed 非空的为已删除或已撤销",
        {
            "enterprise_id": "企业",
            "officer_id": "走访人",
            "visited_on": "走访日期",
            "week": "周次",
            "channel": "方式（onsite 实地 / online 线上 / phone 电话 / event 活动）",
            "note": "走访情况",
            "removed": "删除标记",
        },
    ),
    "tickets": (
        "问题",
        "每个问题的当前状态（由办理记录推算）；removed 非空的为已删除或已撤销，不计入任何指标",
        {
            "enterprise_id": "企业",
            "visit_id": "来源走访",
            "category": "问题类别",
            "title": "问题描述",
            "priority": "优先级",
            "owner_id": "责任人",
            "department": "责任单位",
            "opened_on": "提出日期",
            "due_on": "办理时限（现行）",
            "base_due_on": "办理时限（原定）",
            "status": "办理状态（open 待办理 / in_progress 办理中 / closed 已办结）",
            "outcome": "办理结果（resolved 已解决 / explained 解释说明 / withdrawn 撤回）",
            "closed_on": "办结日期",
            "resolution": "解决情况",
            "supervised": "督办",
            "removed": "删除标记",
        },
    ),
    "events": (
        "办理记录",
        "问题的全部办理经过（只增不改）：登记、转派、交办、办结、重新打开、延期、催办、督办、回访……",
        {"ticket_id": "问题", "kind": "事项", "on_date": "日期", "actor": "操作人", "note": "说明"},
    ),
    "feedback": ("企业反馈", "锦旗、感谢信、表扬、投诉、满意度评价", {"received_on": "日期", "kind": "类型"}),
    "services": (
        "服务企业",
        "诊断、培训、宣讲、通行证、资金申报、融资对接等服务",
        {"served_on": "日期", "amount_fen": "金额（分）"},
    ),
    "categories": ("问题类别", "问题类别及办理时限", {"label_zh": "中文名称", "due_days": "办理时限（天）"}),
    "category_aliases": ("类别别名", "问题类别的其他叫法", {}),
    "calendar": ("工作日历", "法定节假日、调休和园区自定的休息日与工作日", {}),
    "settings": ("设置", "园区名称等设置", {}),
    "changesets": ("变更批次", "每条命令记录的一批变更（撤销的单位）", {}),
    "changes": ("变更日志", "名册、类别、日历和设置的变更（只增不改）", {}),
}
# Bookkeeping and the derived tables the figures are read from: reachable, not listed.
HIDDEN = (*DERIVED, "meta", "weeks")

# The weekly report's parts 3 and 4 for this week, as of the publishing day: by category
# (asof.counts on the tallies, asof.pending on the spans), then their sum, the park's.
THIS_WEEK = f"""
WITH w AS (SELECT * FROM weeks ORDER BY week DESC LIMIT 1),
later AS (
    SELECT key, SUM(collected) AS collected, SUM(closed) AS closed, SUM(solved) AS solved
    FROM tallies WHERE dim = 'category' AND day > (SELECT as_of FROM w) GROUP BY key
),
c AS (
    SELECT t.key, t.collected - COALESCE(l.collected, 0) AS collected, t.closed - COALESCE(l.closed, 0) AS closed,
        t.solved - COALESCE(l.solved, 0) AS solved
    FROM tally_totals t LEFT JOIN later l ON l.key = t.key WHERE t.dim = 'category'
),
pending AS (
    SELECT t.category AS key, count(*) AS open, SUM(s.due_on < w.as_of) AS overdue
    FROM spans s JOIN tickets t ON t.id = s.ticket_id, w
    WHERE s.status IN ('open', 'in_progress') AND s.until_on > w.as_of AND s.from_on <= w.as_of
    GROUP BY t.category
),
by_category AS (
    SELECT COALESCE(k.label_zh, k.label, c.key) AS category, c.collected, c.closed, c.solved,
        COALESCE(p.open, 0) AS open, COALESCE(p.overdue, 0) AS overdue, COALESCE(k.position, 1000) AS position
    FROM c LEFT JOIN categories k ON k.code = c.key LEFT JOIN pending p ON p.key = c.key WHERE c.collected > 0
)
SELECT w.week AS 周次, w.as_of AS 截至, r.category AS 问题类别, r.collected AS 累计收集, r.closed AS 累计办结,
    r.solved AS 累计解决, r.open AS 未办结, r.overdue AS 超期, {rate_sql("r.closed", "r.collected")} AS "办结率(%)"
FROM (
    SELECT * FROM by_category
    UNION ALL
    SELECT '合计', SUM(collected), SUM(closed), SUM(solved), SUM(open), SUM(overdue), 1001 FROM by_category
) r, w
ORDER BY r.position, r.category
"""

OPEN_AND_OVERDUE = "SELECT * FROM ledger WHERE 办理状态 != '已办结' ORDER BY 超期 DESC, 办理时限, 编号"

BY_DEPARTMENT = f"""
SELECT department AS 责任单位, referred AS 交办, closed AS 办结, on_time AS 按时办结,
    {rate_sql("on_time", "closed")} AS "按时办结率(%)", overdue AS 超期, extended AS 延期, urged AS 催办,
    supervised AS 督办, redone AS 重办, {rate_sql("satisfied", "with_follow_up")} AS "满意率(%)"
FROM ({SCORECARD.replace(":until", TODAY).replace(":since", "'0000-01-01'")})
"""

QUERIES = {
    "this_week": (
        "本周报告 / this week's report",
        "本周截至发布日：各类别累计收集、办结、解决和办结率，及合计。",
        THIS_WEEK,
    ),
    "open_and_overdue": (
        "未办结及超期 / open and overdue",
        "截至发布日未办结的问题，超期的在前。",
        OPEN_AND_OVERDUE,
    ),
    "by_department": (
        "按部门 / by department",
        "各责任单位截至发布日的交办、办结、按时办结、超期、延期、催办、督办、重办和满意率（部门考核口径）。",
        BY_DEPARTMENT,
    ),
}


def _guide() -> str:
    """The database page's first lines: the views and queries by their Chinese names."""
    views = [(name, TABLES[name][0]) for name in ("weekly_figures", "ledger")]
    queries = [(name, title.split(" / ")[0]) for name, (title, _, _) in QUERIES.items()]
    links = " · ".join(f'<a href="/{DATABASE}/{name}">{title}</a>' for name, title in views + queries)
    return f"<p>{links}</p><p>其余各表为台账原始记录，只读。</p>"


def metadata(park: str | None, published_at: str, with_contacts: bool) -> dict:
    """The metadata.json Datasette reads (`datasette servicedesk.db -m metadata.json`)."""
    tables = {
        name: {"title": title, "description": description, **({"columns": columns} if columns else {})}
        for name, (title, description, columns) in TABLES.items()
    }
    tables.update({name: {"hidden": True} for name in HIDDEN})
    tables["weekly_figures"]["sort_desc"] = "周次"  # the latest week first
    tables["ledger"]["sort_desc"] = "编号"
    title = f"{park} · 企业服务台账" if park else "企业服务台账"
    contacts = "含联系电话" if with_contacts else "不含联系电话"
    return {
        "title": title,
        "description_html": f"<p>只读快照，{published_at} 发布（{contacts}），由 servicedesk publish 生成。</p>{_guide()}",
        "databases": {
            DATABASE: {
                "title": title,
                "description_html": _guide(),
                "tables": tables,
                "queries": {
                    name: {"title": title, "description": description, "sql": sql.strip()}
                    for name, (title, description, sql) in QUERIES.items()
                },
            }
        },
    }
