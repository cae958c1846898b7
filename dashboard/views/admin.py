"""Admin: users and their roles (for those who manage users) and the audit trail (for those who read
it), both through the engine (metrics/users.py, metrics/audit.py) as the signed-in user."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics import audit, users
from metrics.access import ASSIGNABLE, Permission, Role
from metrics.errors import VendorboardError
from metrics.i18n import value_name


def _done(what: str) -> None:
    st.session_state["admin-flash"] = tr("admin.done", what=what)
    st.rerun()


def _role_picker(key: str, vendor_ids: list[str], current: Role | None = None) -> tuple[Role, list[str]]:
    lang = common.language()
    left, right = st.columns(2)
    role = left.selectbox(
        tr("col.role"),
        ASSIGNABLE,
        index=ASSIGNABLE.index(current) if current in ASSIGNABLE else 0,
        format_func=lambda r: value_name("role", r, lang),
        key=f"{key}-role",
    )
    names = common.vendor_names()
    chosen = right.multiselect(
        tr("admin.vendors"),
        list(names),
        default=[v for v in vendor_ids if v in names],
        format_func=lambda v: f"{v} · {names[v]}",
        disabled=role is not Role.VENDOR,
        key=f"{key}-vendors",
    )
    return role, chosen if role is Role.VENDOR else []


def users_section() -> None:
    st.subheader(tr("admin.users"))
    found = engine("users")
    if found:
        common.table(
            pl.DataFrame(
                [u.as_dict() | {"vendor_ids": ", ".join(u.vendor_ids)} for u in found], infer_schema_length=None
            ).drop("created_at"),
            "users",
            enums={"role": "role"},
            file_name="users",
        )
    else:
        st.info(tr("admin.no_users"), icon=":material/group:")
    by = common.principal()
    with st.expander(tr("admin.add"), icon=":material/person_add:"):
        login = st.text_input(tr("col.login"), key="add-login")
        name = st.text_input(tr("col.name"), key="add-name")
        role, vendors = _role_picker("add", [])
        password = st.text_input(tr("admin.new_password"), type="password", key="add-password")
        if st.button(tr("admin.add"), type="primary", key="add-user"):
            try:
                user = users.add(common.db(), login, role, vendors, name, password or None, by=by)
            except VendorboardError as exc:
                common.error(exc)
            else:
                _done(user.login)
    if not found:
        return
    with st.expander(tr("admin.change"), icon=":material/manage_accounts:"):
        logins = {u.login: u for u in found}
        login = st.selectbox(tr("admin.user"), list(logins), key="change-login")
        user = logins[login]
        role, vendors = _role_picker(f"change-{login}", list(user.vendor_ids), user.role)
        password = st.text_input(tr("admin.new_password"), type="password", key=f"change-password-{login}")
        a, b, c = st.columns(3)
        try:
            if a.button(tr("admin.save_role"), type="primary", key="save-role"):
                users.set_role(common.db(), login, role, vendors, by=by)
                _done(f"{login} · {value_name('role', role, common.language())}")
            if b.button(tr("admin.save_password"), key="save-password"):
                users.set_password(common.db(), login, password or None, by=by)
                _done(login)
            if c.button(tr("admin.remove"), key="remove-user", icon=":material/person_remove:"):
                users.remove(common.db(), login, by=by)
                _done(login)
        except VendorboardError as exc:
            common.error(exc)


def audit_section() -> None:
    st.subheader(tr("admin.audit"))
    st.caption(tr("admin.audit_caption"))
    lang = common.language()
    left, right = st.columns(2)
    actions = {"": tr("data.all")} | {a: value_name("action", a, lang) for a in audit.ACTIONS}
    action = left.selectbox(tr("admin.action"), list(actions), format_func=actions.get, key="audit-action")
    actor = right.text_input(tr("admin.actor"), key="audit-actor").strip()
    found = engine("audit", None, None, action or None, actor or None)
    if not found:
        st.info(tr("admin.no_audit"), icon=":material/history:")
        return
    frame = pl.DataFrame(
        [
            e | {"recorded_at": e["recorded_at"].replace(tzinfo=None), "details": audit.summary(e["details"])}
            for e in found
        ],
        infer_schema_length=None,
    )
    common.table(frame, "audit", enums={"role": "role", "action": "action"}, file_name="audit")
    common.download(
        lambda: pl.DataFrame([audit.flat(e) for e in found], infer_schema_length=None),
        "audit-full",
        "audit",
        label=f"{tr('download.csv')} · {tr('admin.audit')} (JSON details)",
        localize=False,
    )


def main() -> None:
    sel = common.selection()
    common.page_header("admin", sel)
    if flash := st.session_state.pop("admin-flash", None):
        st.success(flash, icon=":material/check_circle:")
    if common.can(Permission.MANAGE_USERS):
        users_section()
    if common.can(Permission.AUDIT):
        audit_section()


main()
