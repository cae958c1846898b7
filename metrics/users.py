"""Sign-in users and their roles (`vendorboard users`, the Admin page; docs/auth.md).

A user is a login (an e-mail address or an identity provider's subject for OpenID Connect, any
name for local sign-in), a role and, for a `vendor` user, the vendor ids it may see. A local user
also has a password, kept only as an argon2id hash (argon2-cffi). Every change is one atomic write
with its audit entry; only a principal that may manage users makes one.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from metrics import audit, store
from metrics.access import ASSIGNABLE, EVERY_VENDOR, Permission, Principal, Role, Scope, acting
from metrics.errors import VendorboardError

MIN_PASSWORD = 10  # characters; a long passphrase beats composition rules
_HASHER = PasswordHasher()  # argon2id with the library's current parameters


@functools.cache
def _decoy() -> str:
    """Verified against when the login is unknown, so a wrong login costs the same time as a wrong
    password. Made on the first sign-in, not at import: hashing costs every command 0.4 s."""
    return _HASHER.hash("no such user")


@dataclass(frozen=True)
class User:
    login: str
    role: Role
    vendor_ids: tuple[str, ...]
    name: str | None
    has_password: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    def as_dict(self) -> dict:
        return {
            "login": self.login,
            "name": self.name,
            "role": str(self.role),
            "vendor_ids": list(self.vendor_ids),
            "password": self.has_password,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    def principal(self, origin: str) -> Principal:
        return Principal(self.login, self.role, frozenset(self.vendor_ids), self.name, origin)


def normal(login: str) -> str:
    """Logins compare case-insensitively (e-mail addresses do): stored trimmed and lower-case."""
    found = (login or "").strip().lower()
    if not found:
        raise VendorboardError("a user needs a login (an e-mail address, a subject or a name)")
    return found


def parse_role(text: str) -> Role:
    try:
        role = Role(str(text).strip().lower())
    except ValueError:
        role = None
    if role not in ASSIGNABLE:
        raise VendorboardError(f"--role: unknown role '{text}' (expected one of {', '.join(ASSIGNABLE)})")
    return role


def _vendors(con: duckdb.DuckDBPyConnection, role: Role, vendor_ids: Iterable[str]) -> list[str]:
    """The vendor ids a user of `role` is bound to, checked: a vendor user needs known ones, other
    roles none (they see every vendor)."""
    wanted = sorted({v.strip() for v in vendor_ids if v and v.strip()})
    if role is not Role.VENDOR:
        if wanted:
            raise VendorboardError(f"--vendor: only a vendor user is bound to vendors; a {role} sees every vendor")
        return []
    if not wanted:
        raise VendorboardError("--vendor: a vendor user needs the vendor id(s) it may see")
    known = {v for (v,) in con.execute("SELECT vendor_id FROM vendors").fetchall()}
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise VendorboardError(f"--vendor: unknown vendor '{unknown[0]}'")
    return wanted


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise VendorboardError(f"the password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def _row(con: duckdb.DuckDBPyConnection, login: str) -> tuple | None:
    # fetchall, not fetchone: it drains the result, which would otherwise hold the connection (DuckDB 2)
    found = con.execute("SELECT role, vendor_ids FROM users WHERE login = ?", [login]).fetchall()
    return found[0] if found else None


def _require_known(con: duckdb.DuckDBPyConnection, login: str) -> tuple:
    found = _row(con, login)
    if found is None:
        raise VendorboardError(f"no user '{login}'")
    return found


def add(
    db: Path,
    login: str,
    role: str,
    vendor_ids: Iterable[str] = (),
    name: str | None = None,
    password: str | None = None,
    *,
    by: Principal | None = None,
) -> User:
    """A new user; without a password it signs in through the identity provider only."""
    actor = acting(by).require(Permission.MANAGE_USERS)
    login, role = normal(login), parse_role(role)
    hashed = _hash(password) if password is not None else None
    with store.writer(db) as con:
        if _row(con, login):
            raise VendorboardError(f"user '{login}' exists already (change its role with `users set-role`)")
        vendors = _vendors(con, role, vendor_ids)
        con.execute(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?, now(), now())",
            [login, (name or "").strip() or None, str(role), vendors, hashed],
        )
        audit.record(
            con,
            actor,
            "user_add",
            f"user {login}",
            {"role": str(role), "vendor_ids": vendors, "password": hashed is not None},
        )
        return _users(con, login)[0]


def set_role(db: Path, login: str, role: str, vendor_ids: Iterable[str] = (), *, by: Principal | None = None) -> User:
    """Change a user's role (and, for a vendor user, its vendors)."""
    actor = acting(by).require(Permission.MANAGE_USERS)
    login, role = normal(login), parse_role(role)
    with store.writer(db) as con:
        before_role, before_vendors = _require_known(con, login)
        vendors = _vendors(con, role, vendor_ids)
        con.execute(
            "UPDATE users SET role = ?, vendor_ids = ?, updated_at = now() WHERE login = ?", [str(role), vendors, login]
        )
        audit.record(
            con,
            actor,
            "user_role",
            f"user {login}",
            {"from": before_role, "to": str(role), "vendor_ids_from": list(before_vendors), "vendor_ids": vendors},
        )
        return _users(con, login)[0]


def set_password(db: Path, login: str, password: str | None, *, by: Principal | None = None) -> None:
    """Set (or with None remove) a user's local password; the trail records that it changed, never it."""
    actor = acting(by).require(Permission.MANAGE_USERS)
    login = normal(login)
    hashed = _hash(password) if password is not None else None
    with store.writer(db) as con:
        _require_known(con, login)
        con.execute("UPDATE users SET password_hash = ?, updated_at = now() WHERE login = ?", [hashed, login])
        audit.record(con, actor, "user_password", f"user {login}", {"password": hashed is not None})


def remove(db: Path, login: str, *, by: Principal | None = None) -> None:
    actor = acting(by).require(Permission.MANAGE_USERS)
    login = normal(login)
    if login == actor.login.lower():
        raise VendorboardError("you cannot remove yourself (ask another administrator)")
    with store.writer(db) as con:
        role, vendors = _require_known(con, login)
        con.execute("DELETE FROM users WHERE login = ?", [login])
        audit.record(con, actor, "user_remove", f"user {login}", {"role": role, "vendor_ids": list(vendors)})


def _users(con: duckdb.DuckDBPyConnection, login: str | None = None, scope: Scope = EVERY_VENDOR) -> list[User]:
    rows = con.execute(
        "SELECT login, role, vendor_ids, name, password_hash IS NOT NULL, created_at, updated_at FROM users "
        f"WHERE ($login IS NULL OR login = $login) AND {scope.shared_filter()} ORDER BY login",
        {"login": login},
    ).fetchall()
    return [User(r[0], Role(r[1]), tuple(r[2]), *r[3:]) for r in rows]


def users(con: duckdb.DuckDBPyConnection, *, scope: Scope = EVERY_VENDOR) -> list[User]:
    """Every user, in login order (none for a scope of some vendors: users are of no one vendor)."""
    return _users(con, scope=scope)


def has_passwords(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether local sign-in is on: some user has a password."""
    return con.execute("SELECT count(*) FROM users WHERE password_hash IS NOT NULL").fetchall()[0][0] > 0


def verify(con: duckdb.DuckDBPyConnection, login: str, password: str) -> User | None:
    """The user when `password` is its local password, else None (unknown login, no password, wrong
    password: the caller cannot tell which, and each takes the time of one argon2 verification)."""
    decoy = _decoy()  # made before the lookup, so a process's first sign-in costs the same either way
    key = (login or "").strip().lower()
    found = con.execute("SELECT password_hash FROM users WHERE login = ?", [key]).fetchall()
    hashed = found[0][0] if found else None
    try:
        _HASHER.verify(hashed or decoy, password)
    except (VerificationError, InvalidHashError):
        return None
    return _users(con, key)[0] if hashed else None


def from_identity(con: duckdb.DuckDBPyConnection, claims: Mapping[str, object]) -> User | None:
    """The user an OpenID Connect sign-in is: the one whose login is the token's subject (`sub`),
    else its e-mail address when the provider does not say the address is unverified. None when
    neither is registered: signing in at the provider gives no access by itself."""
    keys = [str(claims.get("sub") or "").strip().lower()]
    if claims.get("email") and claims.get("email_verified") is not False:
        keys.append(str(claims["email"]).strip().lower())
    for key in filter(None, keys):
        found = _users(con, key)
        if found:
            return found[0]
    return None
