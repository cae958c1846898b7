"""Who is using the dashboard (docs/auth.md): signs the visitor in, or says why not, before any page.

- OpenID Connect through Streamlit's own `st.login` when `.streamlit/secrets.toml` has an `[auth]`
  table; the signed-in identity is a vendorboard user when its subject or e-mail address is one
  (metrics.users.from_identity), else it has no access.
- Local passwords (argon2) when some user has one: a sign-in form; the session remembers the login
  and reads the user again on every run, so a changed role or a removed user takes effect at once.
- Neither: the one local administrator, no sign-in, said on the page; a browser on another machine
  is refused (`vendorboard serve` refuses such an address before it starts, this catches the rest).
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import common
from dashboard.common import tr
from metrics import signin, users
from metrics.access import Principal, Role, is_loopback
from metrics.errors import VendorboardError
from metrics.i18n import value_name

SIGNED_IN = "_signed_in"  # session key: the login of a local-password sign-in


def _auth_section() -> dict:
    try:
        section = st.secrets.get("auth", {})
    except FileNotFoundError:  # no secrets file at all
        return {}
    return section.to_dict() if hasattr(section, "to_dict") else dict(section)


def _address() -> str | None:
    """The browser's address; None on this machine (and under AppTest, which has no connection)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def _origin() -> str:
    return f"dashboard from {_address() or 'this machine'}"


def _user(login: str) -> users.User | None:
    with common.connection() as con:
        return next((u for u in users.users(con) if u.login == login and u.has_password), None)


def principal() -> Principal:
    """The visitor as a principal; when sign-in is needed first, draws it and stops the run."""
    try:
        providers = signin.providers(_auth_section())
    except VendorboardError as exc:
        common.error(exc)
        st.stop()
    with common.connection() as con:
        passwords = users.has_passwords(con)
    if providers and st.user.is_logged_in:
        claims = st.user.to_dict()
        with common.connection() as con:
            user = users.from_identity(con, claims)
        if user is None:
            st.warning(tr("auth.no_access", who=claims.get("email") or claims.get("sub")), icon=":material/block:")
            if st.button(tr("auth.sign_out"), icon=":material/logout:"):
                st.logout()
            st.stop()
        return replace(user.principal(_origin()), name=user.name or claims.get("name"))
    if login := st.session_state.get(SIGNED_IN):
        user = _user(login)
        if user:
            return user.principal(_origin())
        st.session_state.pop(SIGNED_IN)
    if not providers and not passwords:
        address = _address()
        if address and not is_loopback(address):
            st.error(tr("auth.refused"), icon=":material/lock:")
            st.stop()
        return Principal("local", Role.LOCAL, name=value_name("role", "local", common.language()), origin=_origin())
    sign_in(providers, passwords)
    st.stop()


def sign_in(providers: list[str], passwords: bool) -> None:
    """The sign-in page: one button per identity provider, the password form when local users exist."""
    st.title(tr("auth.title"))
    for name in providers:
        shown = tr("auth.default_provider") if name == "default" else name
        if st.button(tr("auth.with", provider=shown), key=f"login-{name}", type="primary", icon=":material/login:"):
            st.login(None if name == "default" else name)
    if not passwords:
        return
    if providers:
        st.caption(tr("auth.or_password"))
    with st.form("sign-in", border=True):
        login = st.text_input(tr("auth.login"), key="signin-login")
        password = st.text_input(tr("auth.password"), type="password", key="signin-password")
        if not st.form_submit_button(tr("auth.submit"), type="primary"):
            return
    with common.connection() as con:
        user = users.verify(con, login, password)
    if user is None:
        st.error(tr("auth.wrong"), icon=":material/key_off:")
        return
    st.session_state[SIGNED_IN] = user.login
    st.rerun()


def badge(who: Principal) -> None:
    """In the sidebar: who is signed in, with a sign-out button, or that there is no sign-in."""
    role = value_name("role", who.role, common.language())
    if who.role is Role.LOCAL:
        st.sidebar.info(tr("auth.open"), icon=":material/lock_open:")
        return
    st.sidebar.markdown(tr("auth.signed_in", who=who.name or who.login, role=role))
    if st.sidebar.button(tr("auth.sign_out"), icon=":material/logout:", key="sign-out"):
        local = st.session_state.get(SIGNED_IN) is not None
        for key in [k for k in st.session_state if k != "lang"]:
            del st.session_state[key]  # nothing one user saw (a built report, an upload) is left for the next
        if not local:
            st.logout()  # an OpenID Connect sign-in: Streamlit drops its identity cookie
        st.rerun()
