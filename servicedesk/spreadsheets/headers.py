"""The headers of each kind of file: which field a column is, whatever the office called it."""

import re

from ..models import word_key

# Field → headers that mean it, per kind of file. The first alias is the English field
# name, as `export` writes it; the rest are what Chinese ledgers put in their header row.
_ENTERPRISE = ("name", "enterprise", "企业名称", "名称", "企业", "项目名称", "单位名称", "企业项目名称")
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "officer": {
        "name": ("name", "officer", "姓名", "干部", "干部姓名", "名称", "首席服务员"),
        "rank": ("rank", "职级", "级别", "干部类别"),
        "unit": ("unit", "单位", "工作单位", "所在单位", "部门"),
        "phone": ("phone", "电话", "联系电话", "手机", "手机号", "联系方式"),
        "archived": ("archived", "已归档", "归档"),
    },
    "enterprise": {
        "name": _ENTERPRISE,
        "sector": ("sector", "行业", "所属行业", "产业", "所属产业"),
        "kind": ("kind", "类型", "企业类型", "性质"),
        "contact": ("contact", "联系人", "企业联系人"),
        "phone": ("phone", "联系电话", "电话", "手机", "手机号", "联系方式"),
        "address": ("address", "地址", "企业地址", "所在地"),
        "note": ("note", "备注", "说明"),
        "archived": ("archived", "已归档", "归档"),
        "officers": ("officers", "officer", "包联干部", "包联领导", "包联人", "包联责任人", "服务专员"),
        "assigned_from": ("assigned_from", "包联日期", "包联开始日期", "包联时间"),
    },
    "ticket": {
        "enterprise": _ENTERPRISE[1:],
        "category": ("category", "问题类别", "问题类型", "类别", "类型", "问题分类"),
        "title": ("title", "问题描述", "问题", "问题内容", "具体问题", "存在问题"),
        "opened_on": ("opened_on", "提出日期", "反映时间", "登记日期", "提出时间", "反映日期"),
        "owner": ("owner", "责任人", "包联干部", "负责人"),
        "department": ("department", "责任单位", "交办单位", "承办单位"),
        "due_on": ("due_on", "办理时限", "截止日期", "完成时限"),
        "status": ("status", "办理状态", "状态"),
        "started_on": ("started_on", "开始办理日期"),
        "closed_on": ("closed_on", "办结时间", "办结日期"),
        "outcome": ("outcome", "办理结果", "结果"),
        "resolution": ("resolution", "解决情况", "办理情况", "答复内容", "办理意见"),
        "priority": ("priority", "优先级", "紧急程度"),
        "visited_on": ("visited_on", "走访日期"),
        # Written by `export` only when the other columns cannot tell the story; see ticket_import.
        "history": ("history", "办理记录"),
    },
    "visit": {
        "enterprise": _ENTERPRISE[1:],
        "officer": ("officer", "走访人", "干部", "走访干部", "包联干部"),
        "visited_on": ("visited_on", "走访日期", "走访时间", "日期"),
        "channel": ("channel", "方式", "走访方式"),
        "note": ("note", "走访情况", "备注", "走访内容"),
    },
    "service": {
        "enterprise": _ENTERPRISE[1:],
        "kind": ("kind", "服务类型", "类型", "服务内容", "服务事项"),
        "served_on": ("served_on", "服务日期", "日期", "时间"),
        "quantity": ("quantity", "数量", "人数", "件数"),
        "amount": ("amount", "金额", "资金", "争取资金"),
        "officer": ("officer", "服务人", "干部", "经办人"),
        "note": ("note", "备注", "说明"),
    },
    "feedback": {
        "enterprise": _ENTERPRISE[1:],
        "kind": ("kind", "类型", "反馈类型", "形式"),
        "score": ("score", "评分", "满意度"),
        "ticket": ("ticket", "问题编号", "工单"),
        "received_on": ("received_on", "日期", "收到日期", "反馈日期"),
        "note": ("note", "备注", "内容", "反馈内容"),
    },
}
REQUIRED = {
    "officer": ("name",),
    "enterprise": ("name",),
    "ticket": ("enterprise", "category", "title", "opened_on"),
    "visit": ("enterprise", "visited_on"),
    "feedback": ("enterprise", "kind", "received_on"),
    "service": ("enterprise", "kind", "served_on"),
}
# Columns a ledger or our own export carries that no import needs: not worth a warning.
SILENT = {"id", "序号", "编号"}


_HEADER_NOISE = re.compile(r"[(（\[【].*?[)）\]】]|[*＊:：]")


def header_key(text) -> str:
    """企业(项目)名称 *, 'Opened_On ' → 企业名称, opened_on: hints and marks never matter."""
    return word_key(_HEADER_NOISE.sub("", str(text or "")))
