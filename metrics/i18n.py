"""Every word the dashboard and the report show, in English and Simplified Chinese, and the way
numbers, money and metric values are written for a reader.

One table holds both languages side by side (`LABELS[key] = (english, chinese)`), so a label
cannot exist in one language only. Keys are namespaced: `page.*`, `metric.*`, `channel.*`,
`col.*` (column headers), `msg.*` (messages; `{name}` placeholders are filled by `t(..., **values)`),
`reason.*` (quarantine reason codes), and the value names of each enumerated column.
No Streamlit here: the PDF and Excel report use the same labels and formats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal, format_percent

from metrics.domain import AGENT_FIGURES, METRIC

LANGUAGES = ("en", "zh")
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}

LABELS: dict[str, tuple[str, str]] = {
    # the app
    "app.title": ("vendorboard", "vendorboard 供应商看板"),
    "app.tagline": (
        "Customer-service vendors: SLA compliance, billing and reconciliation",
        "客服外包供应商：服务水平达标、计费与对账",
    ),
    "page.overview": ("Overview", "总览"),
    "page.compliance": ("Compliance", "服务水平"),
    "page.invoices": ("Invoices", "账单"),
    "page.reconciliation": ("Reconciliation", "对账"),
    "page.data": ("Data", "数据"),
    "page.contracts": ("Contracts", "合同"),
    "page.reports": ("Reports", "报告"),
    "nav.monitor": ("Monitor", "监控"),
    "nav.money": ("Billing", "计费"),
    "nav.setup": ("Data and terms", "数据与条款"),
    # pickers
    "picker.month": ("Month", "月份"),
    "picker.vendor": ("Vendor", "供应商"),
    "picker.contract": ("Contract", "合同"),
    "picker.language": ("Language", "语言"),
    "picker.all_vendors": ("All vendors", "全部供应商"),
    "picker.no_month": ("no data yet", "暂无数据"),
    "picker.no_contract": ("no contract", "无合同"),
    # sign-in, roles and the audit trail (docs/auth.md)
    "page.admin": ("Admin", "管理"),
    "auth.title": ("Sign in", "登录"),
    "auth.with": ("Sign in with {provider}", "通过 {provider} 登录"),
    "auth.default_provider": ("your company account", "公司账号"),
    "auth.or_password": ("Or with a vendorboard password", "或使用 vendorboard 密码"),
    "auth.login": ("Login (e-mail address or user name)", "登录名（邮箱或用户名）"),
    "auth.password": ("Password", "密码"),
    "auth.submit": ("Sign in", "登录"),
    "auth.wrong": ("Wrong login or password.", "登录名或密码错误。"),
    "auth.no_access": (
        "{who} is signed in at the identity provider but has no access to vendorboard: ask an administrator "
        "to add this e-mail address or subject as a user.",
        "{who} 已在身份提供方登录，但没有 vendorboard 的访问权限：请管理员将此邮箱或主体标识添加为用户。",
    ),
    "auth.signed_in": ("Signed in as **{who}** · {role}", "当前用户 **{who}** · {role}"),
    "auth.sign_out": ("Sign out", "退出登录"),
    "auth.open": (
        "No sign-in: you are the local administrator and may do everything. Only this machine can open the "
        "dashboard; to let others in, turn sign-in on (docs/auth.md).",
        "未启用登录：您是本机管理员，可执行所有操作。仅本机可以打开看板；如需他人访问，请启用登录（见 docs/auth.md）。",
    ),
    "auth.refused": (
        "This dashboard has no sign-in, so it only serves the machine it runs on. Turn sign-in on to open it "
        "from elsewhere (docs/auth.md).",
        "此看板未启用登录，因此仅对其所在的机器开放。如需从其他机器访问，请启用登录（见 docs/auth.md）。",
    ),
    "auth.not_allowed": ("Your role ({role}) may not {what}.", "您的角色（{role}）不能{what}。"),
    "role.admin": ("administrator", "管理员"),
    "role.finance": ("finance", "财务"),
    "role.manager": ("manager", "经理"),
    "role.vendor": ("vendor", "供应商"),
    "role.local": ("local administrator", "本机管理员"),
    "perm.load": ("load interaction data", "导入交互数据"),
    "perm.reference": ("change reference data", "修改基础数据"),
    "perm.finalize": ("finalize invoices", "定稿账单"),
    "perm.reconcile": ("upload vendor invoices for reconciliation", "上传供应商账单进行对账"),
    "perm.adjust": ("record payments or adjustments", "登记付款或调整"),
    "perm.manage_users": ("manage users", "管理用户"),
    "perm.audit": ("read the audit trail", "查看审计记录"),
    "admin.users": ("Users and roles", "用户与角色"),
    "admin.add": ("Add a user", "添加用户"),
    "admin.change": ("Change a user", "修改用户"),
    "admin.user": ("User", "用户"),
    "admin.vendors": ("Vendors a vendor user may see", "供应商用户可查看的供应商"),
    "admin.new_password": (
        "Local password (empty: sign in through the identity provider only)",
        "本地密码（留空：仅通过身份提供方登录）",
    ),
    "admin.save_role": ("Save role", "保存角色"),
    "admin.save_password": ("Set password", "设置密码"),
    "admin.remove": ("Remove user", "删除用户"),
    "admin.done": ("Saved: {what}.", "已保存：{what}。"),
    "admin.no_users": (
        "No users yet: add one below, or with `vendorboard users add`.",
        "尚无用户：请在下方添加，或使用 `vendorboard users add`。",
    ),
    "admin.audit": ("Audit trail", "审计记录"),
    "admin.audit_caption": ("Every change, newest first; times in UTC.", "所有更改，最新的在前；时间为 UTC。"),
    "admin.action": ("Action", "操作"),
    "admin.actor": ("User", "用户"),
    "admin.no_audit": ("Nothing recorded yet.", "尚无记录。"),
    # the vendor portal (docs/auth.md "The vendor portal")
    "perm.submit_invoice": ("send its own invoices", "提交本方账单"),
    "action.invoice_submission": ("vendor invoice sent", "供应商提交账单"),
    "portal.send": ("Send your invoice for {month}", "提交 {month} 的账单"),
    "portal.file": ("Your invoice (CSV or Excel)", "您的账单（CSV 或 Excel）"),
    "portal.columns": (
        "One row per line: contract_id, month, channel, unit, quantity, amount; a row with channel `total` "
        "gives the invoice total. Finance reconciles it against the invoice computed here.",
        "每行一个明细：contract_id、month、channel、unit、quantity、amount；channel 为 `total` 的行为账单合计。"
        "财务将其与本系统计算的账单对账。",
    ),
    "portal.send_button": ("Send to finance", "提交给财务"),
    "portal.sent": (
        "Sent: {file} for {month}. Finance sees it on its Reconciliation page.",
        "已提交：{file}（{month}）。财务将在对账页面看到。",
    ),
    "portal.sent_list": ("Invoices you sent for {month}", "您提交的 {month} 账单"),
    "portal.none_sent": ("Nothing sent for {month} yet.", "{month} 尚未提交账单。"),
    "portal.caption_overview": (
        "Targets in force in {month}; billed totals are the invoices finance has issued (finalized).",
        "{month} 生效的目标；应付总额为财务已开出（定稿）的账单。",
    ),
    "portal.not_issued": (
        "No issued invoice of {contract} for {month} yet: an invoice shows here once finance has finalized it.",
        "{contract} 在 {month} 尚无已开出的账单：财务定稿后账单将显示在此。",
    ),
    "recon.sent": ("Invoices vendors sent for {month}", "供应商提交的 {month} 账单"),
    "recon.which": ("Vendor invoice to reconcile", "要对账的供应商账单"),
    "recon.own_upload": ("Upload a file", "上传文件"),
    "recon.sent_label": (
        "{file} · {vendor} · sent by {who} at {when} UTC",
        "{file} · {vendor} · {who} 于 {when} UTC 提交",
    ),
    "col.contracts": ("Contracts", "合同"),
    "col.sent_by": ("Sent by", "提交人"),
    "col.sent_at": ("Sent (UTC)", "提交时间（UTC）"),
    "col.login": ("Login", "登录名"),
    "col.updated_at": ("Changed (UTC)", "修改时间（UTC）"),
    "col.role": ("Role", "角色"),
    "col.vendor_ids": ("Vendors", "供应商"),
    "col.password": ("Local password", "本地密码"),
    "col.seq": ("No.", "序号"),
    "col.recorded_at": ("When (UTC)", "时间（UTC）"),
    "col.actor": ("Who", "操作人"),
    "col.origin": ("From", "来源"),
    "col.action": ("Action", "操作"),
    "col.subject": ("What", "对象"),
    "col.details": ("Details", "详情"),
    "action.ingest": ("data loaded", "导入数据"),
    "action.quarantine_retry": ("rejected rows retried", "重试被拒绝的行"),
    "action.finalize": ("invoice finalized", "账单定稿"),
    "action.reconciliation_upload": ("vendor invoice uploaded", "上传供应商账单"),
    "action.payment": ("payment recorded", "登记付款"),
    "action.damages_carry": ("late-payment damages carried", "结转逾期违约金"),
    "action.mapping_save": ("import mapping saved", "保存导入映射"),
    "action.user_add": ("user added", "添加用户"),
    "action.user_remove": ("user removed", "删除用户"),
    "action.user_role": ("role changed", "修改角色"),
    "action.user_password": ("password changed", "修改密码"),
    # channels, units, metrics
    "channel.phone": ("Phone", "电话"),
    "channel.chat": ("Chat", "在线"),
    "channel.email": ("E-mail", "邮件"),
    "channel.onsite": ("On-site", "现场"),
    "channel.total": ("Total", "合计"),
    "unit.minute": ("minute", "分钟"),
    "unit.hour": ("hour", "小时"),
    "unit.email": ("e-mail", "封"),
    "unit.visit": ("visit", "次"),
    "unit.contact": ("contact", "次"),
    "what.minute": ("talk time", "通话时长"),
    "what.hour": ("agent hours", "坐席工时"),
    "what.email": ("replies", "回复"),
    "what.visit": ("visits", "出场"),
    "what.contact": ("handled contacts", "处理量"),
    "tier.over": ("over {low}", "{low}以上"),
    "unit.fixed": ("monthly fee", "月费"),
    "unit.minimum": ("minimum true-up", "保底补足"),
    "unit.credit": ("credit", "扣减"),
    "unit.adjustment": ("adjustment", "调整"),
    "metric.answer_rate": ("Answer rate", "接通率"),
    "metric.service_level": ("Service level", "服务水平"),
    "metric.asa_seconds": ("Average speed of answer", "平均应答时长"),
    "metric.abandon_rate": ("Abandon rate", "放弃率"),
    "metric.aht_seconds": ("Average handle time", "平均处理时长"),
    "metric.first_response_seconds": ("First response time", "首次响应时长"),
    "metric.first_response_median_seconds": ("Median first response time", "首次响应时长中位数"),
    "metric.response_rate": ("Response rate", "响应率"),
    "metric.reply_within_rate": ("Replied in time", "及时回复率"),
    "metric.accuracy": ("Accuracy", "解答准确率"),
    "metric.csat": ("Customer satisfaction", "客户满意度"),
    "metric.coverage_rate": ("Service-hour coverage", "服务时段覆盖率"),
    "metric.weekly_min_hours": ("Weekly minimum hours met", "每周最低工时达标率"),
    # value names
    "verdict.met": ("met", "达标"),
    "verdict.missed": ("missed", "未达标"),
    "verdict.no_data": ("no data", "无数据"),
    "verdict.not_set": ("no target", "未设目标"),
    "evidence.hit": ("hit", "达标"),
    "evidence.miss": ("miss", "未达标"),
    "evidence.not_counted": ("not counted", "不计入"),
    "line.usage": ("usage", "用量"),
    "line.fixed": ("fixed fee", "固定费用"),
    "line.minimum": ("minimum", "保底"),
    "line.credit": ("SLA credit", "服务水平扣减"),
    "line.credit_cap": ("credit cap", "扣减上限"),
    "line.adjustment": ("adjustment", "调整"),
    "status.draft": ("draft", "草稿"),
    "status.finalized": ("finalized", "已定稿"),
    "recon.match": ("match", "一致"),
    "recon.mismatch": ("mismatch", "不一致"),
    "recon.missing": ("missing", "漏开"),
    "recon.unexpected": ("unexpected", "多开"),
    "clock.calendar": ("calendar", "自然时间"),
    "clock.business": ("business hours", "服务时段"),
    "base.channel": ("channel usage", "该渠道用量"),
    "base.invoice": ("whole invoice", "整张账单"),
    "tier_mode.graduated": ("graduated", "累进"),
    "tier_mode.volume": ("volume", "总量"),
    "sl_abandons.exclude_short": ("short abandons excluded", "剔除短时放弃"),
    "sl_abandons.exclude_all": ("all abandons excluded", "剔除全部放弃"),
    "sl_abandons.count_as_met": ("abandons within threshold count as met", "阈值内放弃计为达标"),
    "days.daily": ("every day", "每天"),
    "days.weekdays": ("weekdays", "工作日"),
    "days.weekends": ("weekends", "周末"),
    "day.mon": ("Mon", "周一"),
    "day.tue": ("Tue", "周二"),
    "day.wed": ("Wed", "周三"),
    "day.thu": ("Thu", "周四"),
    "day.fri": ("Fri", "周五"),
    "day.sat": ("Sat", "周六"),
    "day.sun": ("Sun", "周日"),
    "holiday.closed": ("closed", "休息"),
    "holiday.workday": ("make-up working day", "调休上班"),
    "hours.always": ("24/7", "全天候"),
    "visit.completed": ("completed", "已完成"),
    "visit.cancelled": ("cancelled", "已取消"),
    "visit.no_show": ("no show", "未到场"),
    "bool.true": ("yes", "是"),
    "bool.false": ("no", "否"),
    # input tables
    "table.vendors": ("vendors", "供应商"),
    "table.contracts": ("contracts", "合同"),
    "table.rates": ("rates", "费率"),
    "table.sla_targets": ("SLA targets", "服务水平目标"),
    "table.service_hours": ("service hours", "服务时段"),
    "table.holidays": ("holidays", "节假日"),
    "table.adjustments": ("adjustments", "调整项"),
    "table.calls": ("calls", "通话"),
    "table.chats": ("chats", "在线会话"),
    "table.emails": ("e-mails", "邮件"),
    "table.visits": ("visits", "现场服务"),
    "table.agent_sessions": ("agent sessions", "坐席登录"),
    # quarantine reasons (README "Rejected rows")
    "reason.missing_required": ("a required value is missing", "缺少必填值"),
    "reason.unknown_vendor": ("unknown vendor", "未知供应商"),
    "reason.bad_timestamp": ("unreadable timestamp", "时间无法解析"),
    "reason.nonexistent_local_time": ("local time skipped by a clock change", "夏令时跳过的本地时间"),
    "reason.bad_number": ("unreadable number", "数字无法解析"),
    "reason.unknown_channel": ("unknown channel", "未知渠道"),
    "reason.unknown_status": ("unknown visit status", "未知出场状态"),
    "reason.csat_out_of_range": ("satisfaction score outside 1–5", "满意度不在 1–5 之间"),
    "reason.malformed_line": ("malformed line", "行格式错误"),
    "reason.answered_before_offered": ("answered before it was offered", "应答早于来电"),
    "reason.ended_before_answered": ("ended before it was answered", "结束早于应答"),
    "reason.ended_before_offered": ("ended before it was offered", "结束早于来电"),
    "reason.response_before_start": ("response before the chat started", "响应早于会话开始"),
    "reason.ended_before_start": ("ended before it started", "结束早于开始"),
    "reason.reply_before_received": ("reply before the e-mail arrived", "回复早于收件"),
    "reason.negative_replies": ("negative number of replies", "回复数为负"),
    "reason.replies_without_reply_time": ("replies without a reply time", "有回复数但无回复时间"),
    "reason.correct_exceeds_audited": ("more correct answers than audited", "正确数大于抽查数"),
    "reason.departed_before_arrived": ("departed before arriving", "离开早于到达"),
    "reason.logout_not_after_login": ("logout not after login", "登出不晚于登录"),
    # column headers
    "col.vendor": ("Vendor", "供应商"),
    "col.vendor_id": ("Vendor ID", "供应商编号"),
    "col.name": ("Name", "名称"),
    "col.timezone": ("Time zone", "时区"),
    "col.contract_id": ("Contract", "合同"),
    "col.month": ("Month", "月份"),
    "col.channel": ("Channel", "渠道"),
    "col.metric": ("Metric", "指标"),
    "col.value": ("Value", "实际值"),
    "col.target": ("Target", "目标"),
    "col.threshold_seconds": ("Threshold", "阈值"),
    "col.clock": ("Clock", "计时方式"),
    "col.verdict": ("Verdict", "结论"),
    "col.numerator": ("Numerator", "分子"),
    "col.denominator": ("Denominator", "分母"),
    "col.credit_rate": ("Credit rate", "扣减比例"),
    "col.credit_base": ("Credit base", "扣减基数"),
    "col.targets_met": ("Targets met", "达标目标"),
    "col.missed_targets": ("Missed targets", "未达标目标"),
    "col.total": ("Total", "总额"),
    "col.change": ("Change", "较上月"),
    "col.targets": ("Targets", "目标"),
    "col.targets_marks": ("✓·✗·–", "✓·✗·–"),
    "col.status": ("Status", "状态"),
    "col.id": ("ID", "编号"),
    "col.local_start": ("Local start", "本地开始时间"),
    "col.wait_seconds": ("Wait (s)", "等待 (秒)"),
    "col.answered": ("Answered", "已应答"),
    "col.response_seconds": ("Response (s)", "响应 (秒)"),
    "col.reply_seconds": ("Reply (s)", "回复 (秒)"),
    "col.handle_seconds": ("Handle time (s)", "处理时长 (秒)"),
    "col.questions_correct": ("Correct answers", "正确数"),
    "col.questions_audited": ("Audited questions", "抽查数"),
    "col.visit_status": ("Visit status", "出场状态"),
    "col.covered_seconds": ("Covered (s)", "已覆盖 (秒)"),
    "col.service_seconds": ("Service time (s)", "服务时长 (秒)"),
    "col.agent_id": ("Agent", "坐席"),
    "col.logged_seconds": ("Logged (s)", "登录时长 (秒)"),
    "col.csat": ("Satisfaction", "满意度"),
    "col.evidence": ("Counts as", "判定"),
    "col.type": ("Type", "类型"),
    "col.unit": ("Unit", "单位"),
    "col.tier_from": ("Tier from", "阶梯起"),
    "col.tier_to": ("Tier to", "阶梯止"),
    "col.quantity": ("Quantity", "数量"),
    "col.unit_price": ("Unit price", "单价"),
    "col.amount": ("Amount", "金额"),
    "col.description": ("Description", "说明"),
    "col.caused_by": ("Caused by", "原因"),
    "col.subtotal": ("Subtotal", "小计"),
    "col.credits": ("Credits", "扣减"),
    "col.adjustments": ("Adjustments", "调整"),
    "col.net": ("Net", "净额"),
    "col.tax": ("Tax", "税额"),
    "col.due_date": ("Due date", "付款截止日"),
    "col.payee": ("Payee", "收款方"),
    "col.stored_quantity": ("Finalized quantity", "定稿数量"),
    "col.fresh_quantity": ("Recomputed quantity", "重算数量"),
    "col.stored_amount": ("Finalized amount", "定稿金额"),
    "col.fresh_amount": ("Recomputed amount", "重算金额"),
    "col.difference": ("Difference", "差额"),
    "col.computed_quantity": ("Our quantity", "我方数量"),
    "col.billed_quantity": ("Billed quantity", "对方数量"),
    "col.computed_amount": ("Our amount", "我方金额"),
    "col.billed_amount": ("Billed amount", "对方金额"),
    "col.table": ("Table", "数据表"),
    "col.loaded": ("Loaded", "新增"),
    "col.updated": ("Updated", "更新"),
    "col.unchanged": ("Unchanged", "未变"),
    "col.rejected": ("Rejected", "拒收"),
    "col.rows": ("Rows", "行数"),
    "col.reason": ("Reason", "原因"),
    "col.detail": ("Detail", "详情"),
    "col.raw": ("Raw row", "原始行"),
    "col.source_file": ("File", "文件"),
    "col.line": ("Line", "行号"),
    "col.first_start": ("First (local)", "最早 (本地)"),
    "col.last_start": ("Latest (local)", "最新 (本地)"),
    "col.days_behind": ("Days behind newest data", "落后最新数据天数"),
    "col.run_id": ("Run", "批次"),
    "col.finished_at": ("Finished (UTC)", "完成时间 (UTC)"),
    "col.out_of_contract": ("Out of contract", "合同外"),
    "col.start_date": ("Start", "开始日期"),
    "col.end_date": ("End", "结束日期"),
    "col.currency": ("Currency", "币种"),
    "col.tax_rate": ("Tax rate", "税率"),
    "col.payment_due_day": ("Payment due day", "付款日"),
    "col.monthly_fee": ("Monthly fee", "月费"),
    "col.monthly_minimum": ("Monthly minimum", "月保底"),
    "col.credit_cap_rate": ("Credit cap", "扣减上限"),
    "col.short_abandon_seconds": ("Short abandon below", "短时放弃阈值"),
    "col.sl_abandons": ("Abandons in service level", "服务水平中的放弃"),
    "col.increment_seconds": ("Billing increment (s)", "计费步长 (秒)"),
    "col.tier_mode": ("Tier mode", "阶梯方式"),
    "col.tier_flat_fee": ("Tier flat fee", "阶梯固定费"),
    "col.effective_from": ("Effective from", "生效月"),
    "col.effective_to": ("Effective until", "失效月"),
    "col.days": ("Days", "日期"),
    "col.hours": ("Hours (local)", "时段 (本地)"),
    "col.date": ("Date", "日期"),
    "col.kind": ("Kind", "类型"),
    "col.term": ("Term", "条款"),
    "col.setting": ("Value", "取值"),
    "col.file": ("File", "文件"),
    # charts
    "axis.month": ("Month", "月份"),
    "axis.day": ("Day", "日期"),
    "axis.hour": ("Hour of day (vendor local time)", "小时 (供应商本地时间)"),
    "axis.percent": ("%", "%"),
    "axis.seconds": ("seconds", "秒"),
    "axis.hours": ("hours", "小时"),
    "axis.score": ("score 1–5", "评分 1–5"),
    "axis.count.phone": ("Calls", "通话数"),
    "axis.count.chat": ("Chats", "会话数"),
    "axis.count.email": ("E-mails", "邮件数"),
    "axis.count.onsite": ("Visits", "出场数"),
    "axis.count.any": ("Rows", "条数"),
    "chart.target": ("target", "目标"),
    "chart.threshold": ("threshold", "阈值"),
    "chart.within": ("within threshold", "阈值内"),
    "chart.beyond": ("beyond threshold", "超出阈值"),
    "chart.heatmap_title": ("Targets met and missed", "各供应商目标达成情况"),
    "chart.trend_title": ("{metric} by {period}", "{metric}（按{period}）"),
    "chart.period.month": ("month", "月"),
    "chart.period.day": ("day", "日"),
    "chart.hour_day_title": ("{metric} by hour and day", "{metric}（按日期与小时）"),
    "chart.histogram_title": ("Distribution: {what}", "分布：{what}"),
    "measure.wait_seconds": ("wait time", "等待时长"),
    "measure.response_seconds": ("first response time", "首次响应时长"),
    "measure.reply_seconds": ("reply time", "回复时长"),
    "measure.handle_seconds": ("handle time", "处理时长"),
    "measure.logged_seconds": ("weekly logged time", "每周登录时长"),
    # sections and labels
    "overview.vendors_ok": ("Vendors meeting every target", "全部达标的供应商"),
    "overview.billed": ("Billed this month", "本月应付"),
    "overview.credits": ("SLA credits", "服务水平扣减"),
    "overview.scorecard": ("Vendor scorecard", "供应商记分卡"),
    "overview.heatmap": ("Who met which target", "目标达成一览"),
    "overview.trend": ("Trend over the last months", "近几个月趋势"),
    "overview.trend_metric": ("Metric", "指标"),
    "overview.why": ("Why? Open {contract} in Compliance", "查看原因：打开 {contract} 的服务水平"),
    "compliance.scorecard": ("Every target this month", "本月全部目标"),
    "compliance.daily": ("Daily trend", "每日趋势"),
    "compliance.heatmap": ("Hour of day × day", "小时 × 日期"),
    "compliance.distribution": ("Distribution", "分布"),
    "compliance.evidence": ("Interactions behind a target", "目标背后的明细"),
    "compliance.pick_target": ("Target", "目标"),
    "compliance.show": ("Show", "显示"),
    "compliance.show_misses": ("misses only", "仅未达标"),
    "compliance.show_all": ("all rows", "全部"),
    "compliance.page": ("Page", "页码"),
    "compliance.rows_of": ("rows {first}–{last} of {total}", "第 {first}–{last} 行，共 {total} 行"),
    "invoices.lines": ("Invoice lines", "账单明细"),
    "invoices.credits": ("Credits and the targets that caused them", "扣减及其对应的未达标目标"),
    "invoices.totals": ("Totals", "合计"),
    "invoices.drift": ("Drift since finalizing", "定稿后的差异"),
    "invoices.finalize": ("Finalize invoice", "定稿账单"),
    "invoices.finalize_confirm": (
        "Finalize {contract} {month}? A finalized invoice never changes.",
        "确认定稿 {contract} {month}？定稿后账单不再变化。",
    ),
    "invoices.confirm": ("Yes, finalize", "确认定稿"),
    "invoices.cancel": ("Cancel", "取消"),
    "invoices.download": ("Downloads", "下载"),
    "recon.upload": ("Vendor invoice (CSV or Excel)", "供应商账单 (CSV 或 Excel)"),
    "recon.summary": ("Comparison", "比对结果"),
    "recon.discrepancies": ("Discrepancies", "差异"),
    "data.upload": ("Files to load", "待导入文件"),
    "data.kind": ("Table of the files", "文件所属数据表"),
    "data.kind_auto": ("from the file names", "按文件名识别"),
    "data.ingest": ("Load", "载入"),
    "data.result": ("What was loaded", "导入结果"),
    "data.quarantine": ("Quarantine: rejected rows", "隔离区：被拒收的行"),
    "data.freshness": ("Freshness per vendor and channel", "各供应商与渠道的数据新鲜度"),
    "data.out_of_contract": ("Interactions out of contract (not billed)", "合同外的交互 (不计费)"),
    "data.runs": ("Recent loads", "最近导入"),
    "data.filter_table": ("Table", "数据表"),
    "data.filter_reason": ("Reason", "原因"),
    "data.all": ("all", "全部"),
    # importing a platform's export (dashboard/imports.py)
    "data.import_export": ("Import a platform's export", "导入平台导出文件"),
    "data.import_how": ("Read it", "读取方式"),
    "data.how_profile": ("with a profile", "按平台模板"),
    "data.how_mapping": ("by mapping its columns", "按列映射"),
    "data.profile": ("Profile", "导入模板"),
    "data.export_files": ("Export files (read together)", "导出文件 (合并读取)"),
    "data.export_file": ("CSV or Excel file", "CSV 或 Excel 文件"),
    "data.import": ("Import", "导入"),
    "data.saved_mapping": ("Mapping", "列映射"),
    "data.new_mapping": ("a new mapping", "新建映射"),
    "data.first_rows": ("The file's first rows", "文件前几行"),
    "data.derived_rows": (
        "What would be loaded: the first rows as derived (times in UTC)",
        "将导入的内容：按映射推导出的前几行 (时间为 UTC)",
    ),
    "data.format": ("format", "格式"),
    "data.time_column": ("time column (with a date)", "时间列 (配合日期列)"),
    "data.plus": ("or {start} plus durations (s)", "或 {start} 加时长列 (秒)"),
    "data.answered_column": ("Answered or abandoned: the disposition column", "接通或放弃：呼叫结果列"),
    "data.outcome_answered": ("answered", "接通"),
    "data.outcome_abandoned": ("abandoned", "放弃"),
    "data.outcome_ignore": ("not a call", "不计为来电"),
    "data.source_zone": ("Time zone of the file's times", "文件时间所在时区"),
    "data.vendor_zone": ("the vendor's", "供应商的时区"),
    "data.skew": ("Clock-skew tolerance (s)", "时钟偏差容忍 (秒)"),
    "data.this_mapping": ("this mapping", "此映射"),
    "data.mapping_name": ("Save this mapping as", "将此映射保存为"),
    "data.save_mapping": ("Save", "保存"),
    "msg.mapping_saved": ("Mapping '{name}' saved for this vendor.", "已为该供应商保存映射「{name}」。"),
    "reason.unmapped_value": ("a value the mapping does not name", "映射中未列出的取值"),
    "col.step": ("Step", "步骤"),
    "step.rows_read": ("rows read", "读取行数"),
    "step.malformed_lines": ("lines that are not rows (quarantined)", "格式错误的行 (已隔离)"),
    "step.unreadable_rows": ("rows whose key fields do not read (quarantined)", "关键字段无法读取的行 (已隔离)"),
    "step.unmapped_values": ("values not in the value map (quarantined)", "值映射之外的取值 (已隔离)"),
    "step.not_offered": ("not offered calls (left out)", "非来电 (未导入)"),
    "step.duplicate_lines": ("repeated lines (counted once)", "重复行 (只计一次)"),
    "step.ids_without_enterqueue": ("ids that never entered a queue (not calls)", "未进入队列的编号 (非来电)"),
    "step.calls_in_progress": ("calls still in progress (not loaded yet)", "尚在进行的通话 (暂不导入)"),
    "step.sessions_still_open": ("agent sessions still open (not loaded yet)", "尚未结束的坐席会话 (暂不导入)"),
    "step.older_versions": ("older versions of a contact (replaced)", "联系记录的旧版本 (已替换)"),
    "step.records_merged_into_chains": ("transfer records merged into their contact", "转接记录并入原联系"),
    "step.contacts_never_queued": ("contacts never queued (not offered)", "未进入队列的联系 (非来电)"),
    "step.contacts_in_progress": ("contacts still in progress (not loaded yet)", "尚在进行的联系 (暂不导入)"),
    "step.other_channels": ("contacts of other channels (left out)", "其他渠道的联系 (未导入)"),
    "step.legs_merged_into_calls": ("call legs merged into their call", "通话分段并入通话"),
    "step.clock_skew_corrected": ("times corrected for clock skew", "按时钟偏差校正的时间"),
    # issue 12: implausible times, the quarantine's retry, skipped files
    "reason.implausible_time": ("implausible time (too early or in the future)", "时间不合理 (过早或晚于当前)"),
    "msg.retried": (
        "Retried: {loaded} row(s) loaded, {left} still rejected.",
        "重新校验：已载入 {loaded} 行，仍有 {left} 行被拒收。",
    ),
    "msg.skipped": ("Skipped {file}: {reason}.", "已跳过 {file}：{reason}。"),
    "msg.retryable": (
        "{n} rejected row(s) name vendors that are known now: retry them below.",
        "有 {n} 行被拒收的数据所属供应商现已导入：可在下方重新校验。",
    ),
    "col.raw_length": ("Length of the raw row", "原始行长度"),
    "data.retry": ("Retry against today's reference data", "按当前参考数据重新校验"),
    "data.retry_help": (
        "Rows rejected because their vendor had not been loaded are loaded once it has; the rest stay here.",
        "因供应商尚未导入而被拒收的行，在供应商导入后将被载入；其余仍留在隔离区。",
    ),
    "contracts.terms": ("Terms", "合同条款"),
    "contracts.rates": ("Rate card", "费率表"),
    "contracts.targets": ("SLA targets", "服务水平目标"),
    "contracts.hours": ("Service hours", "服务时段"),
    "contracts.holidays": ("Holidays", "节假日"),
    "reports.build": ("Build the monthly report", "生成月度报告"),
    "reports.csv": ("CSV exports", "CSV 导出"),
    "reports.sla_csv": ("SLA verdicts of the month", "本月服务水平结论"),
    "reports.invoices_csv": ("Invoice lines of the month", "本月账单明细"),
    "download.csv": ("CSV", "CSV"),
    "download.pdf": ("PDF", "PDF"),
    "download.xlsx": ("Excel", "Excel"),
    "download.zip": ("Download the report (ZIP)", "下载报告 (ZIP)"),
    # the monthly report (PDF and workbook)
    "report.title": ("Vendor performance report", "供应商绩效月报"),
    "report.subtitle": ("Service levels and invoices, {month}", "{month}服务水平与账单"),
    "report.generated": ("Generated by vendorboard on {date}", "由 vendorboard 生成于 {date}"),
    "report.summary": ("Summary", "摘要"),
    "report.scorecard": ("Scorecard", "服务水平记分卡"),
    "report.trends": ("Trend over the last months", "近几个月趋势"),
    "report.invoice": ("Invoice", "账单"),
    "report.data_quality": ("Data quality", "数据质量"),
    "report.vendors_ok": ("Vendors meeting every target", "全部达标的供应商"),
    "report.billed": ("Billed", "应付总额"),
    "report.credits": ("SLA credits", "服务水平扣减"),
    "report.rejected": ("Rejected rows by table and reason", "被拒绝的行（按表和原因）"),
    "report.out_of_contract": ("Interactions no contract covers (not billed)", "不在合同期内的交互（不计费）"),
    "report.reconciliation": ("Reconciliation with the vendor's invoice", "与供应商账单对账"),
    "report.none": ("None.", "无。"),
    "report.page": ("Page {n}", "第 {n} 页"),
    "report.totals": ("Totals", "合计"),
    "report.no_targets": ("No SLA targets in force this month.", "本月无生效的服务水平目标。"),
    # messages
    "msg.empty_db": (
        "The database holds no data yet. Load a data directory on the Data page (or run `vendorboard ingest DIR`).",
        "数据库中还没有数据。请在“数据”页导入数据目录（或运行 `vendorboard ingest DIR`）。",
    ),
    "msg.no_contracts": ("No contract is active in {month}.", "{month} 没有生效的合同。"),
    "msg.no_targets": (
        "Contract {contract} sets no SLA targets in {month}.",
        "合同 {contract} 在 {month} 没有服务水平目标。",
    ),
    "msg.no_series": ("Nothing measured on these days.", "这些日期没有可计算的数据。"),
    "msg.no_hourly": ("This metric has no hour-of-day view.", "该指标没有按小时的视图。"),
    "msg.no_duration": ("This metric is not a duration: no distribution to draw.", "该指标不是时长，无分布图。"),
    "msg.no_evidence": ("No rows to show.", "没有可显示的行。"),
    "msg.no_invoice": (
        "Contract {contract} has no invoice for {month} (not active that month).",
        "合同 {contract} 在 {month} 没有账单（当月未生效）。",
    ),
    "msg.all_met": ("Every target with data was met.", "所有有数据的目标均已达标。"),
    "msg.n_missed": ("{n} target(s) missed: {which}.", "{n} 个目标未达标：{which}。"),
    "msg.finalized_at": (
        "Finalized {when} UTC: this is the invoice as issued.",
        "已于 {when} UTC 定稿：以下为开出时的账单。",
    ),
    "msg.no_drift": ("Recomputing today gives the same invoice.", "今日重算结果与定稿一致。"),
    "msg.drift": (
        "Data changed since finalizing: settle the difference with an adjustment in a later month.",
        "定稿后数据有变化：请在之后月份以调整项结清差额。",
    ),
    "msg.finalized_ok": ("Invoice {contract} {month} finalized.", "账单 {contract} {month} 已定稿。"),
    "msg.error": ("Could not do that: {error}", "无法完成：{error}"),
    "msg.credit_note": ("A negative total: this is a credit note.", "总额为负：此为贷项通知单。"),
    "msg.upload_first": (
        "Upload the vendor's invoice for {month} to compare it line by line.",
        "上传供应商 {month} 的账单，逐行比对。",
    ),
    "msg.recon_ok": ("The vendor's invoice matches ours on every line.", "供应商账单与我方逐行一致。"),
    "msg.recon_off": (
        "{n} line(s) differ: {total} billed more than computed in total (tax included).",
        "{n} 行存在差异：对方账单比我方计算合计多 {total}（含税）。",
    ),
    "msg.kind_unknown": (
        "Cannot tell which table {file} belongs to: choose the table above or name the "
        "file after it (e.g. calls-2026-10.csv).",
        "无法判断 {file} 属于哪个数据表：请在上方选择数据表，或以表名命名文件（如 calls-2026-10.csv）。",
    ),
    "msg.ingest_done": ("Loaded: the pages now show the new data.", "导入完成：各页面已显示新数据。"),
    "msg.ingesting": ("Loading {file}", "正在导入 {file}"),
    "msg.no_quarantine": ("No rejected rows.", "没有被拒收的行。"),
    "msg.no_out_of_contract": ("Every interaction falls within a contract.", "所有交互均在合同期内。"),
    "msg.no_rates": ("No rates: this contract bills fixed fees only.", "没有费率：该合同仅收取固定费用。"),
    "msg.hours_24_7": ("Channels without rows are served 24/7.", "未列出的渠道为全天候服务。"),
    "msg.report_ready": ("Report built: {files} files.", "报告已生成：共 {files} 个文件。"),
    "msg.building": ("Building {step}", "正在生成 {step}"),
    "msg.sample_loaded": (
        "The database was empty: the demo data set in sample_data/ was loaded.",
        "数据库为空：已载入 sample_data/ 中的演示数据。",
    ),
    "msg.caption_overview": (
        "Targets in force in {month}; billed totals are this month's invoices (stored if finalized, else a draft).",
        "{month} 生效的目标；应付总额为本月账单（已定稿取定稿，否则为草稿）。",
    ),
    # payments against issued invoices (docs/payments.md)
    "table.payments": ("payments", "付款"),
    "payment.unpaid": ("unpaid", "未付款"),
    "payment.partly paid": ("partly paid", "部分付款"),
    "payment.paid": ("paid", "已付清"),
    "payment.overpaid": ("overpaid", "多付"),
    "aging.not_due": ("not due", "未到期"),
    "aging.1-30": ("1–30 days", "逾期 1–30 天"),
    "aging.31-60": ("31–60 days", "逾期 31–60 天"),
    "aging.61-90": ("61–90 days", "逾期 61–90 天"),
    "aging.over_90": ("over 90 days", "逾期 90 天以上"),
    "col.paid": ("Paid", "已付"),
    "col.outstanding": ("Outstanding", "未付余额"),
    "col.overdue": ("Overdue", "逾期金额"),
    "col.payment_status": ("Payment status", "付款状态"),
    "col.days_overdue": ("Days overdue", "逾期天数"),
    "col.aging": ("Aging", "账龄"),
    "col.last_paid_on": ("Last paid on", "最近付款日"),
    "col.late_payment_rate": ("Late-payment rate per day", "逾期违约金日费率"),
    "col.damages": ("Late-payment damages", "逾期违约金"),
    "col.damages_carried": ("Damages carried", "已计入违约金"),
    "col.paid_on": ("Paid on", "付款日期"),
    "col.reference": ("Reference", "凭证号"),
    "col.payer_account": ("Payer account", "付款账户"),
    "payments.title": ("Payments", "付款"),
    "payments.as_of": ("As of", "截至日期"),
    "payments.invoices": ("Issued invoices", "已开具账单"),
    # what is wrong with a rejected row (metrics/ingest/said.py), worded by metrics.render.said
    "said.empty": ("{column} is empty", "{column} 为空"),
    "said.not_in": ("{column} {value} is not in {table}", "{column} {value} 不在{table}中"),
    "said.not_valid": ("{column} {value} is not a valid {kind}", "{column} {value} 不是有效的{kind}"),
    "said.not_one_of": ("{column} {value} is not one of {choices}", "{column} {value} 不是可选值（{choices}）之一"),
    "said.no_such_time": (
        "{column} {value} does not exist in {zone} (skipped by a daylight-saving change); send an offset",
        "{column} {value} 在 {zone} 不存在（夏令时调整时跳过的时刻），请写明时区偏移",
    ),
    "said.no_such_time_now": (
        "{column} {value} (written without an offset) does not exist in {zone}, the corrected time zone of "
        "vendor {vendor} (was {was}); send an offset",
        "{column} {value}（未写时区偏移）在供应商 {vendor} 更正后的时区 {zone}（原为 {was}）中不存在，请写明时区偏移",
    ),
    "said.before": ("{later} is before {earlier}", "{later} 早于 {earlier}"),
    "said.not_after": ("{later} is not after {earlier}", "{later} 不晚于 {earlier}"),
    "said.outside": ("{column} {value} is outside 1-5", "{column} {value} 不在 1–5 之间"),
    "said.due_day": ("payment_due_day must be 1-31", "payment_due_day 须在 1–31 之间"),
    "said.negative": ("{columns} must not be negative", "{columns} 不能为负数"),
    "said.not_positive": ("{column} {value} must be positive", "{column} {value} 必须为正数"),
    "said.not_cents": ("{column} {value} is not whole cents", "{column} {value} 不是精确到分的金额"),
    "said.unit_not_for_channel": (
        "unit {unit} cannot bill channel {channel}",
        "计费单位 {unit} 不能用于渠道 {channel}",
    ),
    "said.metric_not_for_channel": (
        "metric {metric} does not apply to channel {channel}",
        "指标 {metric} 不适用于渠道 {channel}",
    ),
    "said.threshold_required": ("threshold_seconds is required for {metric}", "指标 {metric} 须填写 threshold_seconds"),
    "said.tier": ("tier_from must be below tier_to and not negative", "tier_from 须小于 tier_to 且不为负数"),
    "said.close_after_open": (
        "close must be after open (split an overnight shift into two rows)",
        "close 须晚于 open（跨夜班次请拆成两行）",
    ),
    "said.replies_without_time": (
        "replies {value} but first_reply_at is empty",
        "replies 为 {value}，但 first_reply_at 为空",
    ),
    "said.exceeds": (
        "questions_correct {value} exceeds questions_audited {limit}",
        "questions_correct {value} 超过 questions_audited {limit}",
    ),
    "said.malformed": ("the line does not split into the file's columns", "该行无法按文件的列拆分"),
    "said.malformed.too_many_columns": ("more fields than the header", "字段数多于表头"),
    "said.malformed.missing_columns": ("fewer fields than the header", "字段数少于表头"),
    "said.malformed.unquoted_value": (
        "a quote that is not closed, or text after a closing quote",
        "引号未闭合，或闭合引号后仍有内容",
    ),
    "said.malformed.line_size_over_maximum": ("the line is too long", "该行过长"),
    "said.malformed.invalid_unicode": (
        "characters not readable in the file's encoding",
        "含有无法按文件编码读取的字符",
    ),
    "said.separator": ("expected fields separated by {delimiter}", "应为以 {delimiter} 分隔的字段"),
    "said.not_mapped": (
        "{column} {value} is not in the value map of {field}",
        "{column} 的值 {value} 不在 {field} 的值映射中",
    ),
    "kind.timestamp": ("timestamp", "时间"),
    "kind.decimal": ("decimal", "数字"),
    "kind.integer": ("integer", "整数"),
    "kind.date": ("date", "日期"),
    "kind.month": ("month", "月份"),
    "kind.hhmm": ("hhmm", "时刻（时:分）"),
    "kind.days": ("days", "星期"),
    "kind.timezone": ("timezone", "时区"),
    # engine errors a page shows (metrics.errors.VendorboardError.of), worded by metrics.render.error
    "error.row_reason": ("{file}, line {line}: {detail} ({reason})", "{file} 第 {line} 行：{detail}（{reason}）"),
    "error.not_a_directory": ("{path}: not a directory", "{path}：不是文件夹"),
    "error.unsupported": (
        "{file}: unsupported file type (expected {expected})",
        "{file}：不支持的文件类型（应为 {expected}）",
    ),
    "error.no_data_files": ("{path}: no data files in any of {folders}", "{path}：{folders} 中都没有数据文件"),
    "error.unknown_kind": (
        "unknown kind '{given}' (expected one of {kinds})",
        "未知的数据表“{given}”（应为 {kinds} 之一）",
    ),
    "error.no_such_file": ("{file}: no such file", "{file}：文件不存在"),
    "error.unreadable": ("{file}: cannot read the file: {problem}", "{file}：无法读取该文件：{problem}"),
    "error.missing_column": (
        "{file}: missing required column {columns} for table {table}",
        "{file}：缺少数据表 {table} 的必需列 {columns}",
    ),
    "error.encoding": (
        "{file}: cannot read the file's text encoding (vendorboard reads UTF-8, GBK/GB18030 and UTF-16)",
        "{file}：无法识别文件的文字编码（支持 UTF-8、GBK/GB18030 和 UTF-16）",
    ),
    "error.codec": (
        "{file}: not readable as {codec} at byte {at}: {problem}",
        "{file}：第 {at} 字节处无法按 {codec} 读取：{problem}",
    ),
    "error.not_zip": ("{file}: not a readable .zip file", "{file}：不是可读取的 .zip 文件"),
    "error.no_table_folder": (
        "{file}: no folder named after a table ({tables})",
        "{file}：没有以数据表命名的文件夹（{tables}）",
    ),
    "error.overlapping_contracts": (
        "contracts {a} and {b} of vendor {vendor} overlap in time ({file_a}, line {line_a}; {file_b}, line {line_b})",
        "供应商 {vendor} 的合同 {a} 与 {b} 时间重叠（{file_a} 第 {line_a} 行；{file_b} 第 {line_b} 行）",
    ),
    "error.misaligned": (
        "{file}, line {line}: effective dates must be month starts, effective_from before effective_to",
        "{file} 第 {line} 行：生效日期须为月初，且 effective_from 早于 effective_to",
    ),
    "error.overlapping_tiers": (
        "rates of {contract} {channel} {unit} have overlapping tiers in force in the same month "
        "({file_a}, line {line_a}; {file_b}, line {line_b})",
        "{contract} {channel} {unit} 的费率在同一月份生效的阶梯重叠"
        "（{file_a} 第 {line_a} 行；{file_b} 第 {line_b} 行）",
    ),
    "error.mixed_tier_modes": (
        "rates of {contract} {channel} {unit} mix tier modes in one ladder "
        "({file_a}, line {line_a}; {file_b}, line {line_b})",
        "{contract} {channel} {unit} 的费率在同一阶梯中混用了计价方式"
        "（{file_a} 第 {line_a} 行；{file_b} 第 {line_b} 行）",
    ),
    "error.payment_currency": (
        "{file}, line {line}: payment {reference} is in {currency} but the invoice of {contract} {month} is in "
        "{invoiced}; record the amount received in {invoiced}",
        "{file} 第 {line} 行：付款 {reference} 的币种为 {currency}，但 {contract} {month} 的账单币种为 {invoiced}；"
        "请按 {invoiced} 登记实收金额",
    ),
    "error.cell": ("{file}, row {row}, column {column}: {problem}", "{file} 第 {row} 行 {column} 列：{problem}"),
    "error.malformed_row": (
        "{file}, line {line}: malformed line: {detail}",
        "{file} 第 {line} 行：格式错误的行：{detail}",
    ),
    "error.mostly_malformed": (
        "{file}: {n} of its {lines} lines are malformed (line {line}: {detail}); is it a file of {table}? "
        "Nothing changed",
        "{file}：{lines} 行中有 {n} 行格式错误（第 {line} 行：{detail}）；这是{table}的文件吗？未做任何更改",
    ),
    "error.unreadable_file": ("{file}: cannot read the file", "{file}：无法读取该文件"),
    "error.unreadable_os": ("{file}: cannot read the file ({problem})", "{file}：无法读取该文件（{problem}）"),
    "error.gzip_truncated": (
        "{file}: the gzip file is truncated; nothing changed",
        "{file}：gzip 文件不完整；未做任何更改",
    ),
    "error.gzip_corrupt": (
        "{file}: the gzip file is corrupt ({problem}); nothing changed",
        "{file}：gzip 文件已损坏（{problem}）；未做任何更改",
    ),
    "said.too_long": ("the line is longer than {limit} bytes", "该行超过 {limit} 字节"),
    "said.fields": ("expected {expected} fields, found {found}", "应有 {expected} 个字段，实有 {found} 个"),
    "said.implausible": (
        "{column} {value} is outside the plausible range {first} to {last} UTC",
        "{column} {value} 不在合理范围内（UTC {first} 至 {last}）",
    ),
    "cli.quarantine": ("quarantine: {n} row(s)", "隔离区：{n} 行"),
    "cli.agents": ("agents {month}", "坐席 {month}"),
    "cli.agents_below": (", below target {n} month(s) running", "，连续 {n} 个月未达标"),
    "cli.none": ("{what}: none", "{what}：无"),
    "skipped.not_data": (
        "not a data file (expected .csv, .csv.gz or .parquet)",
        "不是数据文件（应为 .csv、.csv.gz 或 .parquet）",
    ),
    "skipped.no_table": ("a folder that names no table", "文件夹名不是任何数据表"),
    "skipped.not_in_folder": ("not in a table folder", "不在数据表文件夹中"),
    "skipped.empty": ("empty file", "空文件"),
    "skipped.header_only": ("header only", "只有表头"),
    "col.missed_since": ("Missed since", "未达标起始月"),
    "col.figure": ("Figure", "指标"),
    "col.table_name": ("Table", "数据表"),
    "problem.number_required": ("empty, a number is required", "为空，须填写数字"),
    "problem.not_a_number": ("'{value}' is not a number", "“{value}”不是数字"),
    "problem.contract_required": ("empty, a contract_id is required", "为空，须填写 contract_id"),
    "problem.other_month": (
        "'{value}' is not the month being reconciled ({month})",
        "“{value}”不是正在对账的月份（{month}）",
    ),
    "problem.not_a_channel": (
        "'{value}' is not a channel (expected {channels}, total, or empty for fees, credits and adjustments)",
        "“{value}”不是渠道（应为 {channels}、total，费用、扣减和调整则留空）",
    ),
    "problem.not_a_unit": (
        "'{value}' is not a unit of channel {channel} (expected {units}, or one of {others})",
        "“{value}”不是渠道 {channel} 的计费单位（应为 {units}，或 {others} 之一）",
    ),
    "error.vendor_invoice_missing": ("--vendor-invoice {file}: no such file", "--vendor-invoice {file}：文件不存在"),
    "error.vendor_invoice_type": (
        "--vendor-invoice {file}: expected a .csv or .xlsx file",
        "--vendor-invoice {file}：应为 .csv 或 .xlsx 文件",
    ),
    "error.vendor_invoice_columns": (
        "{file}: missing column {missing} (expected {columns})",
        "{file}：缺少列 {missing}（应有 {columns}）",
    ),
    "error.unknown_contract": ("--contract: unknown contract '{contract}'", "--contract：未知的合同“{contract}”"),
    "error.finalized_already": (
        "invoice {invoice} was finalized already at {at} UTC; a finalized invoice never changes (settle any drift "
        "with an adjustment in a later month)",
        "账单 {invoice} 已于 {at} UTC 定稿；定稿账单不会再改变（差异请在以后月份用调整项结清）",
    ),
    "error.not_active": (
        "contract {contract} is not active in {month}: no invoice to finalize",
        "合同 {contract} 在 {month} 未生效：没有可定稿的账单",
    ),
    "error.vendor_not_loaded": (
        "vendor {vendor} is not in vendors: load it first (or in the same run)",
        "供应商 {vendor} 不在供应商表中：请先导入（或在同一次导入中导入）",
    ),
    "upload.button": ("Upload", "上传"),
    "upload.limit": ("200 MB per file", "每个文件不超过 200 MB"),
    "ingest.derived": ("; derived ", "；导出 "),
    "ingest.out_of_contract": ("Out of contract (not billed): {found}", "合同外（不计费）：{found}"),
    "col.rejected_by_reason": ("Rejected, by reason", "拒收原因"),
    "payments.invoices_as_of": ("Issued invoices as of {date}", "截至 {date} 的已开具账单"),
    "payments.none_as_of": ("No finalized invoice as of {date}.", "截至 {date} 尚无定稿账单。"),
    "payments.aging": ("Aging per vendor", "各供应商账龄"),
    "payments.unapplied": ("Payments without a finalized invoice (unapplied)", "尚无定稿账单的付款（未核销）"),
    "payments.of_invoice": ("Payments of this invoice", "本账单的付款"),
    "payments.record": ("Record a payment", "登记付款"),
    "payments.save": ("Record payment", "登记付款"),
    "payments.carry_into": ("Into the invoice of", "计入账单月份"),
    "payments.carry_button": ("Carry {amount} into {month}", "将 {amount} 计入 {month} 账单"),
    "reports.payments_csv": ("Payment status of issued invoices", "已开具账单的付款状态"),
    "msg.unapplied_count": (
        "{n} payment(s) wait for their invoice to be finalized (listed on the Reports page).",
        "{n} 笔付款等待对应账单定稿（见“报告”页）。",
    ),
    "report.payments": ("Payments as of {date}", "截至 {date} 的付款情况"),
    "msg.no_issued": (
        "No finalized invoice yet: payments apply to finalized invoices.",
        "尚无定稿账单：付款只核销已定稿的账单。",
    ),
    "msg.no_receivables": ("Nothing outstanding.", "没有未付款项。"),
    "msg.no_payments": ("No payment recorded for this invoice.", "本账单尚无付款记录。"),
    "msg.draft_no_status": (
        "A draft has no payment status: payments for {month} are held as unapplied until the invoice is finalized.",
        "草稿账单没有付款状态：{month} 的付款在账单定稿前暂不核销。",
    ),
    "msg.payment_loaded": ("Payment {reference} recorded.", "付款 {reference} 已登记。"),
    "msg.payment_updated": ("Payment {reference} corrected.", "付款 {reference} 已更正。"),
    "msg.payment_unchanged": (
        "Payment {reference} was recorded already: nothing changed.",
        "付款 {reference} 已登记过：无变化。",
    ),
    "msg.damages": (
        "Late-payment damages accrued: {amount} ({rate} a day of the amount outstanding); carried so far: {carried}.",
        "已产生逾期违约金 {amount}（按未付余额每日 {rate}）；已计入后续账单 {carried}。",
    ),
    "msg.damages_carried": (
        "{amount} of late-payment damages carried into the {month} invoice.",
        "已将 {amount} 逾期违约金计入 {month} 账单。",
    ),
    "msg.payments_caption": (
        "Issued (finalized) invoices only; payments made on or before {date} count.",
        "仅含已定稿账单；计入 {date} 及之前的付款。",
    ),
    # data quality and "no data" (metrics/quality.py, docs/quality.md)
    "channel.any": ("Any channel", "任何渠道"),
    "severity.error": ("error", "错误"),
    "severity.warning": ("warning", "警告"),
    "check.quarantined": ("rejected rows", "被拒收的行"),
    "check.undated_quarantine": ("undated rejected rows", "无法确定日期的拒收行"),
    "check.empty_days": ("days without data", "无数据的日期"),
    "check.no_sessions": ("no agent sessions", "无坐席登录"),
    "check.out_of_contract": ("out of contract", "合同外"),
    "check.no_data": ("no data", "无数据"),
    "check.drift": ("drift since finalizing", "定稿后差异"),
    "quality.quarantined": (
        "{table} rejected: {rows} ({detail}), {share} of the month's {table}",
        "{table}被拒收 {rows} 行（{detail}），占当月{table}的 {share}",
    ),
    "quality.undated_quarantine": (
        "rejected rows with no readable vendor or date: {rows} ({detail}); some may belong to this month",
        "{rows} 行被拒收的数据无法识别供应商或日期（{detail}），其中部分可能属于本月",
    ),
    "quality.empty_days": (
        "{channel}: no {table} on {rows} of {of} days in service hours ({detail})",
        "{channel}：服务时段内的 {of} 天中有 {rows} 天没有任何{table}（{detail}）",
    ),
    "quality.no_sessions": (
        "{channel}: no agent session this month, but {detail}",
        "{channel}：本月没有任何坐席登录，但{detail}",
    ),
    "quality.needs.rate:hour": ("it is billed by the hour", "该渠道按工时计费"),
    "quality.needs.target:coverage_rate": ("it has a coverage target", "该渠道设有服务时段覆盖率目标"),
    "quality.needs.target:weekly_min_hours": ("a weekly-hours target counts them", "每周最低工时目标依据坐席登录"),
    "quality.out_of_contract": (
        "{table} of vendor {vendor} under no contract this month: {rows} ({share} of its {table}), not billed",
        "供应商 {vendor} 本月有 {rows} 条{table}不属于任何合同（占其{table}的 {share}）：不计费",
    ),
    "quality.no_data": (
        "No interaction or agent session was loaded for this month: the invoice bills fees only "
        "and every target is no data",
        "本月未导入任何交互或坐席登录：账单仅含固定费用，所有目标均为无数据",
    ),
    "quality.drift": (
        "The finalized invoice differs from a fresh computation on {rows} line(s), {detail} on the total: "
        "data changed after finalizing",
        "定稿账单与重新计算结果有 {rows} 行不同，总额相差 {detail}：定稿后数据发生了变化",
    ),
    "quality.heading": ("Data quality", "数据质量"),
    "quality.summary": (
        "The data behind these figures has {errors} error(s) and {warnings} warning(s):",
        "这些数字背后的数据有 {errors} 个错误、{warnings} 个警告：",
    ),
    "quality.show_rows": ("Show the rejected rows on the Data page", "在“数据”页查看被拒收的行"),
    "quality.counts": ("{errors} error(s) · {warnings} warning(s)", "{errors} 个错误 · {warnings} 个警告"),
    "quality.scope": ("Only rows dated in {month} of {contract}", "仅显示 {contract} 在 {month} 的行"),
    "quality.scope_all": ("Only rows dated in {month}", "仅显示 {month} 的行"),
    "col.severity": ("Severity", "严重程度"),
    "col.check": ("Check", "检查项"),
    "col.finding": ("Finding", "发现的问题"),
    "col.data_quality": ("Data", "数据"),
    "verdict.counts": (
        "{met} met · {missed} missed · {no_data} no data",
        "{met} 达标 · {missed} 未达标 · {no_data} 无数据",
    ),
    "verdict.no_targets": ("no targets", "无目标"),
    "overview.targets": ("Targets", "目标"),
    "overview.target_counts": ("Targets met · missed · no data", "目标：达标 · 未达标 · 无数据"),
    "msg.no_data_at_all": (
        "No data for {month}: no interaction or agent session of that month has been loaded, so every target "
        "is no data.",
        "{month} 没有数据：尚未导入该月的任何交互或坐席登录，所有目标均为无数据。",
    ),
    "msg.no_data_contract": (
        "No data for {contract} in {month}: no interaction or agent session of that month has been loaded, so "
        "every target is no data.",
        "{contract} 在 {month} 没有数据：尚未导入该月的任何交互或坐席登录，所有目标均为无数据。",
    ),
    "msg.some_no_data": ("{n} target(s) have nothing to measure: {which}.", "{n} 个目标没有可计算的数据：{which}。"),
    "invoices.blocked": (
        "The data of {month} has {n} error(s): finalizing needs a reason, which is stored with the invoice.",
        "{month} 的数据有 {n} 个错误：定稿须填写理由，理由将与账单一并保存。",
    ),
    "invoices.reason": ("Reason for finalizing despite these errors", "尽管存在上述错误仍定稿的理由"),
    "invoices.reason_required": (
        "Give the reason first: it is stored with the invoice.",
        "请先填写理由：理由将与账单一并保存。",
    ),
    "invoices.accepted": (
        "Finalized despite data errors, because: {reason}",
        "在数据有错误的情况下定稿，理由：{reason}",
    ),
    "invoices.findings_then": ("Data-quality findings when it was finalized", "定稿时的数据质量问题"),
    "report.data_issues": ("Data quality this month", "本月数据质量"),
    "report.accepted": ("Finalized despite data errors, because: {reason}", "在数据有错误的情况下定稿，理由：{reason}"),
    # agent assessment (docs/agents.md)
    "page.agents": ("Agents", "坐席"),
    "table.agents": ("agents", "坐席名册"),
    "metric.handled": ("Handled contacts", "处理量"),
    "metric.hold_seconds": ("Average hold time", "平均保持时长"),
    "metric.wrap_seconds": ("Average wrap-up time", "平均话后处理时长"),
    "metric.logged_hours": ("Logged hours", "登录工时"),
    "evidence.counted": ("counted", "计入"),
    "col.team": ("Team", "班组"),
    "col.count": ("Counted", "计数"),
    "col.rank": ("Rank", "排名"),
    "col.targets_missed": ("Targets missed", "未达标目标数"),
    "col.handled": ("Handled", "已处理"),
    "col.hold_seconds": ("Hold (s)", "保持 (秒)"),
    "col.wrap_seconds": ("Wrap-up (s)", "话后处理 (秒)"),
    "agents.summary_agents": ("Agents with figures", "有数据的坐席"),
    "agents.summary_below": ("Agents below a target", "未达标坐席"),
    "agents.summary_targets": ("Targets judged per agent", "按坐席考核的目标"),
    "agents.pick_figure": ("Figure", "指标"),
    "agents.distribution": ("Distribution over the agents", "坐席分布"),
    "agents.ranking": ("Agents ranked", "坐席排名"),
    "agents.all": ("Every agent, every figure", "全部坐席与指标"),
    "agents.one": ("One agent", "单个坐席"),
    "agents.pick_agent": ("Agent", "坐席"),
    "agents.trend": ("Month over month", "逐月趋势"),
    "agents.evidence": ("The agent's rows behind the figure", "该坐席的指标明细"),
    "agents.below_list": ("Below target: retrain or replace", "未达标：培训或更换"),
    "chart.agents_title": ("{metric} per agent", "各坐席{metric}"),
    "axis.agents": ("Agents", "坐席数"),
    "axis.count": ("contacts", "次"),
    "report.agents_below": ("Agents below target: {n} of {total}", "未达标坐席：{total} 人中 {n} 人"),
    "report.agents_none": ("No agent figures this month.", "本月无坐席数据。"),
    "msg.no_agents": (
        "No agent figures for {contract} in {month}: no interaction or session of the month carries an agent.",
        "{contract} 在 {month} 没有坐席数据：当月没有带坐席编号的交互或登录记录。",
    ),
    "msg.agents_caption": (
        "Each agent's rows measured with the contract's own definitions; targets judged per agent: average "
        "handle time, first response, accuracy, satisfaction and weekly hours.",
        "按合同的同一口径逐个坐席计算；按坐席考核的目标：平均处理时长、首次响应、准确率、满意度与每周工时。",
    ),
    "msg.all_agents_met": ("Every agent met every target with data.", "所有有数据的坐席均已达标。"),
    # documents, verdicts and evidence in words (metrics/render.py, issue 15)
    "unit.s": ("s", "秒"),
    "unit.min": ("min", "分钟"),
    "unit.h": ("h", "小时"),
    "per.minute": ("min", "分钟"),
    "per.hour": ("h", "小时"),
    "per.email": ("e-mails", "封"),
    "per.visit": ("visits", "次"),
    "per.contact": ("contacts", "次"),
    "render.per_unit": ("{price} per {unit}", "每{unit} {price}"),
    "render.usage_name": ("{channel} {what}", "{channel}{what}"),
    "render.comma": (", ", "，"),
    "render.colon": (": ", "："),
    "render.semicolon": ("; ", "；"),
    "render.aside": (" ({text})", "（{text}）"),
    "render.volume": ("volume tier: every unit at its price", "总量阶梯：全部用量按该档单价"),
    "render.tier_fee": (" + tier fee {fee}", "，另加阶梯固定费 {fee}"),
    "render.fixed": ("Monthly fee {monthly}", "月费 {monthly}"),
    "render.minimum": ("Minimum charge true-up: minimum {monthly}", "保底补足：月保底 {monthly}"),
    "render.prorated": (" × {days}/{of} days active", " × {days}/{of} 天（按生效天数折算）"),
    "render.minimum_usage": (", usage and fees {usage}", "，用量与费用合计 {usage}"),
    "render.credit": (
        "SLA credit: {missed}; {rate} of {base} {amount}",
        "服务水平扣减：{missed}；按{base} {amount} 的 {rate}",
    ),
    "render.base.channel": ("{channel} usage", "{channel}用量"),
    "render.base.invoice": ("usage and fees", "用量与费用"),
    "render.credit_cap": (
        "Credit cap: credits are limited to {rate} of usage and fees ({cap})",
        "扣减上限：扣减总额不超过用量与费用的 {rate}（{cap}）",
    ),
    "render.missed_below": ("{target} {value}, below the {goal} target", "{target} 实际 {value}，低于目标 {goal}"),
    "render.missed_above": ("{target} {value}, above the {goal} target", "{target} 实际 {value}，高于目标 {goal}"),
    "render.not_issued": ("not issued (draft)", "未开具（草稿）"),
    "col.invoice_number": ("Invoice number", "账单编号"),
    "col.issued_on": ("Issue date", "开具日期"),
    "col.payee_bank": ("Bank account", "收款账户"),
    "col.why": ("Why", "原因"),
    "col.sla_target": ("SLA target", "服务水平目标"),
    "compliance.weekly": ("Week by week", "每周趋势"),
    "axis.week": ("Week (Monday)", "周 (周一)"),
    "chart.period.week": ("week", "周"),
    "axis.count.agent_weeks": ("Agent-weeks", "坐席周数"),
    "evidence.abandoned": ("abandoned", "放弃"),
    "recon.title": (
        "reconcile {file}: {n} of {of} lines differ",
        "对账 {file}：{of} 行中有 {n} 行存在差异",
    ),
    "recon.price": (" at {ours}", "，单价 {ours}"),
    "recon.prices": (" (our price {ours}, billed at {theirs})", "（我方单价 {ours}，对方单价 {theirs}）"),
    "recon.template": ("Template of the vendor invoice", "供应商账单模板"),
    "recon.template_help": (
        "One row per line: contract_id, month (YYYY-MM), channel, unit, quantity, amount; optionally "
        "tier_from and unit_price to name a tier; unit `tax` for the tax and channel `total` for the total.",
        "每行一条明细：contract_id、month (YYYY-MM)、channel、unit、quantity、amount；可加 tier_from、"
        "unit_price 指明阶梯；unit 为 tax 表示税额，channel 为 total 表示总额。",
    ),
    "recon.other_contract": (
        "The file has no line of contract {contract} (picked in the sidebar); it bills {found}.",
        "文件中没有合同 {contract}（侧栏所选）的明细；文件所含合同：{found}。",
    ),
    "xlsx.targets_measured": ("Targets measured", "有数据的目标"),
    "xlsx.targets_set": ("Targets set", "设定的目标"),
    "xlsx.totals_chart": ("Billed total per contract", "各合同应付总额"),
    "noun.calls": ("{n} calls", "{n} 通电话"),
    "noun.chats": ("{n} chats", "{n} 个会话"),
    "noun.emails": ("{n} e-mails", "{n} 封邮件"),
    "noun.visits": ("{n} visits", "{n} 次出场"),
    "noun.questions.numerator": ("{n} correct", "{n} 题正确"),
    "noun.questions": ("{n} questions", "{n} 道抽查题"),
    "noun.ratings.numerator": ("{n} points", "{n} 分"),
    "noun.ratings": ("{n} ratings", "{n} 个评分"),
    "noun.agent_weeks": ("{n} agent-weeks", "{n} 个坐席周"),
    "notcounted.short": ("short abandons, under {limit}", "短时放弃，不足 {limit}"),
    "col.wait": ("Wait", "等待"),
    "col.response": ("Response", "响应"),
    "col.reply": ("Reply", "回复"),
    "col.handle": ("Handle time", "处理时长"),
    "col.covered": ("Covered", "已覆盖"),
    "col.service": ("Service time", "服务时长"),
    "col.logged": ("Logged", "登录时长"),
    "col.hold": ("Hold", "保持"),
    "col.wrap": ("Wrap-up", "话后处理"),
    "notcounted.sl_exclude_all": ("abandoned calls (the contract leaves them out)", "放弃的来电（合同约定不计入）"),
    "notcounted.calls": ("calls not answered", "未接通的来电"),
    "notcounted.chats": ("chats without a response", "未响应的会话"),
    "notcounted.accuracy": ("visits not completed or with no question audited", "未完成或未抽查的出场"),
    "notcounted.csat": ("interactions without a score", "没有评分的交互"),
    "notcounted.coverage_rate": (
        "time outside service hours, or a channel with no agent session",
        "服务时段之外，或该渠道无坐席登录",
    ),
    "why.answered": ("answered after {d}", "等待 {d}后接通"),
    "why.abandoned": ("abandoned after {d}", "等待 {d}后放弃"),
    "why.business": (" of business time", "（按服务时段计）"),
    "why.only_answered": (": only answered calls count", "：只计已接通的来电"),
    "why.short": (": a short abandon, under {limit}", "：短时放弃（不足 {limit}）"),
    "why.response": ("first response after {d}", "{d}后首次响应"),
    "why.no_response": ("no response", "未响应"),
    "why.reply": ("replied after {d}", "{d}后回复"),
    "why.no_reply": ("no reply", "未回复"),
    "why.handled": ("handled in {d}", "处理用时 {d}"),
    "why.not_answered": ("not answered", "未接通"),
    "why.visit": ("visit {status}", "出场{status}"),
    "why.no_audit": ("no question audited", "未抽查"),
    "why.correct": ("{n} of {of} questions correct", "抽查 {of} 题，正确 {n} 题"),
    "why.no_score": ("no score", "无评分"),
    "why.score": ("scored {n}", "评分 {n}"),
    "why.closed": ("outside service hours", "不在服务时段"),
    "why.unstaffed": ("no agent session on this channel this month", "本月该渠道无坐席登录"),
    "why.covered": ("covered {d} of {of}", "{of} 中覆盖 {d}"),
    "why.logged": ("logged {d} in the week", "本周登录 {d}"),
}

EN = {key: pair[0] for key, pair in LABELS.items()}
ZH = {key: pair[1] for key, pair in LABELS.items()}


def t(key: str, language: str = "en", **values: object) -> str:
    """The label `key` in `language` ('en' or 'zh'), with `{name}` placeholders filled from `values`.
    An unknown key shows itself, so a missing label is visible on screen rather than a crash."""
    pair = LABELS.get(key)
    text = key if pair is None else pair[LANGUAGES.index(language) if language in LANGUAGES else 0]
    return text.format(**values) if values else text


def header(column: str, language: str) -> str:
    """A column header: `col.<column>` when labelled, else the column name itself."""
    return t(f"col.{column}", language) if f"col.{column}" in LABELS else column


def value_name(namespace: str, value: object, language: str) -> str:
    """An enumerated value shown in words (`channel`, `metric`, `status`, ...); None shows as ''."""
    if value is None:
        return ""
    key = f"{namespace}.{value}"
    return t(key, language) if key in LABELS else str(value)


# ---- numbers as people read them -------------------------------------------------------------
# Babel's locale data (CLDR) writes every number: `en` and `zh_CN` group thousands with "," and use
# "." for decimals; rounding is half-up (SPEC §4) before Babel sees the value, and money carries its
# ISO currency code in front ("CNY 1,234.50"): unambiguous in both languages and on every document.

LOCALES = {"en": "en", "zh": "zh_CN"}


def _decimal(value: Decimal | float | int) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _rounded(value: Decimal, places: int) -> Decimal:
    """Half-up to `places`, never a negative zero (-0.004 -> 0.00)."""
    exact = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return exact if exact else abs(exact)


def _places(value: Decimal) -> int:
    return max(0, -value.normalize().as_tuple().exponent)


def _pattern(places: int) -> str:
    return "#,##0" + ("." + "0" * places if places else "")


def number(value: Decimal | float | int | None, places: int | None = None, language: str = "en") -> str:
    """Thousands separators; `places` decimals (half-up), or as many as the value has when None:
    12345.678 -> '12,345.678'; number(12345.678, 2) -> '12,345.68'; 10000.000 -> '10,000'."""
    if value is None:
        return ""
    exact = _decimal(value)
    places = _places(exact) if places is None else places
    return format_decimal(_rounded(exact, places), _pattern(places), locale=LOCALES.get(language, "en"))


def money(amount: Decimal | None, currency: str | None = None, language: str = "en") -> str:
    """-1234.5 -> 'CNY -1,234.50': rounded half-up to the cent, grouped, the currency code in front
    (without a currency: '-1,234.50', for a column whose header names it)."""
    if amount is None:
        return ""
    text = number(_decimal(amount), 2, language)
    return f"{currency} {text}" if currency else text


def percent(fraction: Decimal | float | None, places: int = 1, language: str = "en") -> str:
    """0.05 -> '5.0%'."""
    if fraction is None:
        return ""
    return format_percent(
        _rounded(_decimal(fraction) * 100, places) / 100, _pattern(places) + "%", locale=LOCALES.get(language, "en")
    )


def metric_kind(metric: str) -> str:
    """How a metric's value reads: 'seconds' (a duration), 'score' (csat) or 'rate' (a share); an agent
    figure that is no SLA metric also 'count' (handled contacts) or 'hours' (logged time)."""
    return METRIC[metric].kind if metric in METRIC else AGENT_FIGURES[metric]


def metric_value(metric: str, value: Decimal | float | None, language: str, places: int | None = None) -> str:
    """A metric value or target as read: '93.1%', '10.5 s' / '10.5 秒' (a mean of a minute or more
    reads like any duration: '5 min 20 s'), '4.45'; '–' when null."""
    if value is None:
        return "–"
    kind = metric_kind(metric)
    if kind == "rate":
        return percent(value, 1 if places is None else places, language)
    if kind == "seconds":
        if _decimal(value) >= 60:
            return duration(value, language)
        return f"{number(value, 1 if places is None else places, language)} {t('unit.s', language)}"
    if kind == "count":
        return number(value, 0, language)
    if kind == "hours":
        return f"{number(value, 1 if places is None else places, language)} {t('unit.h', language)}"
    return number(value, 2 if places is None else places, language)


def duration(seconds: Decimal | float | None, language: str) -> str:
    """A duration by its size: '4.2 s', '2 min 5 s', '25 h 32 min' ('秒', '分钟', '小时' in Chinese).
    Shown rounded *up* (to 0.1 s under a minute, to the second under an hour, to the minute above),
    so a time shown never looks within a limit it missed: 20.001 s reads '20.1 s', not '20 s'."""
    if seconds is None:
        return ""
    s = _decimal(seconds)
    if s < 0:
        return "-" + duration(-s, language)
    unit = {k: t(f"unit.{k}", language) for k in ("s", "min", "h")}
    if s < 60:
        tenths = (s * 10).to_integral_value(rounding=ROUND_CEILING) / 10
        return f"{number(tenths.normalize(), None, language)} {unit['s']}"
    if s < 3600:
        minutes, rest = divmod(int(s.to_integral_value(rounding=ROUND_CEILING)), 60)
        return f"{minutes} {unit['min']}" + (f" {rest} {unit['s']}" if rest else "")
    hours, minutes = divmod(int((s / 60).to_integral_value(rounding=ROUND_CEILING)), 60)
    return f"{number(hours, 0, language)} {unit['h']}" + (f" {minutes} {unit['min']}" if minutes else "")


def target_label(channel: str, metric: str, threshold: Decimal | float | None, language: str) -> str:
    """'Phone · Service level (≤ 20 s)': a target as one short label (a metric may have several)."""
    text = value_name("metric", metric, language)
    if channel is not None:  # an agent's time on every channel has none
        text = f"{value_name('channel', channel, language)} · {text}"
    if threshold is not None:
        mark = "≥" if METRIC[metric].threshold == "reach" else "≤"

        text += f" ({mark} {duration(threshold, language)})"
    return text


def exact_value(metric: str, value: Decimal | float | None, language: str) -> str:
    """A measured value as read, a duration to the millisecond in seconds whatever its size (an
    agent's figure, compared to the millisecond): '377.625 s', '97.4%', '4.50'."""
    if metric_kind(metric) == "seconds" and value is not None:
        return f"{number(value, 3, language)} {t('unit.s', language)}"
    return metric_value(metric, value, language)


def against_target(row: dict, language: str) -> str:
    """'Phone · Average handle time 377.625 s / 300.0 s': a measured figure (a row with channel,
    metric, threshold_seconds, value, target) beside its target; durations to the millisecond."""
    metric = row["metric"]
    label = target_label(row["channel"], metric, row["threshold_seconds"], language)
    return f"{label} {exact_value(metric, row['value'], language)} / {metric_value(metric, row['target'], language)}"


def count_verdicts(met: Iterable[bool | None]) -> tuple[int, int, int]:
    """(met, missed, no data): a target with nothing to measure (met None) is never a pass (SPEC §3)."""
    verdicts = list(met)
    met_n, missed = sum(v is True for v in verdicts), sum(v is False for v in verdicts)
    return met_n, missed, len(verdicts) - met_n - missed


def verdict_counts(met: Iterable[bool | None], language: str) -> str:
    """Verdicts counted, no data apart from met and missed: '3 met · 1 missed · 2 no data';
    'no targets' when there are none."""
    counts = count_verdicts(met)
    if not any(counts):
        return t("verdict.no_targets", language)
    return t("verdict.counts", language, **dict(zip(("met", "missed", "no_data"), counts)))


def month_name(month: dt.date, language: str) -> str:
    """date(2026, 10, 1) -> 'Oct 2026' / '2026年10月'."""
    return f"{month.year}年{month.month}月" if language == "zh" else month.strftime("%b %Y")
