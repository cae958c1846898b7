"""`vendorboard users add|list|remove|set-role|set-password` and `vendorboard audit` (docs/auth.md).

The CLI acts as the OS user running it (role `local`: whoever can run it can write the database
file anyway); the audit trail records that user and host for every change made here.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from metrics import audit, store, users
from metrics.cli import app
from metrics.cli.output import Format, FormatOption, OutOption, emit, show, to_csv, to_json, to_table
from metrics.errors import VendorboardError

users_app = typer.Typer(no_args_is_help=True, help="Sign-in users and their roles (admin, finance, manager, vendor).")
app.add_typer(users_app, name="users")

Login = Annotated[str, typer.Argument(help="an e-mail address or identity-provider subject (OIDC), or a name")]
RoleOption = Annotated[str, typer.Option("--role", help="admin, finance, manager or vendor")]
VendorOption = Annotated[
    list[str] | None, typer.Option("--vendor", help="a vendor id a vendor user may see (repeat for more)")
]
PasswordOption = Annotated[
    bool, typer.Option("--password", help="ask for a local password (local sign-in; not needed with OIDC)")
]
StdinOption = Annotated[bool, typer.Option("--password-stdin", help="read the password from the first line of stdin")]


def _password(ask: bool, stdin: bool) -> str | None:
    if stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise VendorboardError("--password-stdin: no password on stdin")
        return line
    if ask:
        return typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return None


@users_app.command("list")
def list_command(ctx: typer.Context, fmt: FormatOption = Format.table, out: OutOption = None) -> None:
    """Every user with its role, vendors and whether it has a local password."""
    con = store.connect_reader(ctx.obj)
    try:
        rows = [u.as_dict() for u in users.users(con)]
    finally:
        con.close()
    if fmt is Format.table and not rows:
        emit("no users: the dashboard has no sign-in on this database (docs/auth.md)", out)
        return
    people = [r | {"vendor_ids": ", ".join(r["vendor_ids"]), "password": "yes" if r["password"] else ""} for r in rows]
    shown = people if fmt is Format.csv else rows
    show(shown, fmt, out, "users", people)


@users_app.command("add")
def add_command(
    ctx: typer.Context,
    login: Login,
    role: RoleOption,
    vendor: VendorOption = None,
    name: Annotated[str | None, typer.Option("--name", help="the name the dashboard shows")] = None,
    password: PasswordOption = False,
    password_stdin: StdinOption = False,
) -> None:
    """Add a user. Without --password it signs in through the identity provider only."""
    user = users.add(ctx.obj, login, role, vendor or (), name, _password(password, password_stdin))
    print(f"added {user.login} as {user.role}" + (f" of {', '.join(user.vendor_ids)}" if user.vendor_ids else ""))


@users_app.command("set-role")
def set_role_command(ctx: typer.Context, login: Login, role: RoleOption, vendor: VendorOption = None) -> None:
    """Change a user's role (a vendor user also takes its --vendor ids)."""
    user = users.set_role(ctx.obj, login, role, vendor or ())
    print(f"{user.login} is now {user.role}" + (f" of {', '.join(user.vendor_ids)}" if user.vendor_ids else ""))


@users_app.command("set-password")
def set_password_command(
    ctx: typer.Context,
    login: Login,
    password_stdin: StdinOption = False,
    remove: Annotated[bool, typer.Option("--remove", help="remove the local password (OIDC sign-in only)")] = False,
) -> None:
    """Set a user's local password (asked for, or from stdin), or remove it."""
    users.set_password(ctx.obj, login, None if remove else _password(True, password_stdin))
    print(f"password of {users.normal(login)} {'removed' if remove else 'set'}")


@users_app.command("remove")
def remove_command(ctx: typer.Context, login: Login) -> None:
    """Remove a user: it can no longer sign in (its entries in the audit trail stay)."""
    users.remove(ctx.obj, login)
    print(f"removed {users.normal(login)}")


def _day(text: str | None, argument: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise VendorboardError(f"{argument} must be a date as YYYY-MM-DD (got '{text}')") from None


@app.command("audit")
def audit_command(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", help="first day, YYYY-MM-DD (UTC)")] = None,
    until: Annotated[str | None, typer.Option("--until", help="day after the last, YYYY-MM-DD (UTC)")] = None,
    action: Annotated[str | None, typer.Option("--action", help=f"one of {', '.join(audit.ACTIONS)}")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="one user (login or OS user)")] = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """The audit trail, newest first: every write with who, when, what and from where."""
    if action is not None and action not in audit.ACTIONS:
        raise VendorboardError(f"--action: unknown action '{action}' (expected one of {', '.join(audit.ACTIONS)})")
    con = store.connect_reader(ctx.obj)
    try:
        rows = audit.entries(con, _day(since, "--since"), _day(until, "--until"), action, actor)
    finally:
        con.close()
    if fmt is Format.json:
        emit(to_json(rows), out)
        return
    if fmt is Format.csv:
        emit(to_csv([audit.flat(r) for r in rows], audit.FIELDS), out)
        return
    people = [
        r | {"recorded_at": f"{r['recorded_at']:%Y-%m-%d %H:%M:%S}", "details": audit.summary(r["details"])}
        for r in rows
    ]
    emit(to_table(people, "audit trail (times in UTC)") if people else "no audit entries", out)
