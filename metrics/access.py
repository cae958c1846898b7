"""Who is asking, what they may do and which vendors they may see: the caller as an engine object.

A `Principal` is the signed-in user (or the OS user running the CLI) with a role; its `Scope` is
the vendors it may see. Every engine write takes the principal (`by=`) and refuses a role that may
not make the change (`Principal.require`), and records it in the audit trail under its name. Reads
take the scope (`scope=`, keyword, `EVERY_VENDOR` by default: the CLI's) and filter in SQL on the
tables their query starts from (`Scope.vendor_filter`, `Scope.contract_filter`), so everything
joined to those rows follows and no page, download, report or cache entry can show a vendor another
vendor's name or numbers (docs/auth.md).

Roles (one per user): `admin` (users, reference data, loading interaction data), `finance`
(finalize, reconciliation, adjustments and payments), `manager` (reads every vendor, changes
nothing), `vendor` (reads its own vendors only, its invoices once issued, and sends its own
invoices for reconciliation). `local` is no user's role: it is the machine's
own user — the CLI, whose user can write the database file anyway, and the dashboard on localhost
without sign-in — and may do everything.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
import socket
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from metrics.errors import VendorboardError
from metrics.sql import sql_list


class Role(StrEnum):
    ADMIN = "admin"
    FINANCE = "finance"
    MANAGER = "manager"
    VENDOR = "vendor"
    LOCAL = "local"


ASSIGNABLE = (Role.ADMIN, Role.FINANCE, Role.MANAGER, Role.VENDOR)


class Permission(StrEnum):
    LOAD = "load"  # interaction logs and agent sessions, import mappings
    REFERENCE = "reference"  # vendors, contracts, rates, targets, service hours, holidays
    FINALIZE = "finalize"
    RECONCILE = "reconcile"  # upload a vendor's invoice to reconcile it
    SUBMIT_INVOICE = "submit_invoice"  # a vendor sends its own invoice, for finance to reconcile
    ADJUST = "adjust"  # adjustments, payments, late-payment damages carried into an invoice
    MANAGE_USERS = "manage_users"
    AUDIT = "audit"  # read the audit trail


# What each permission lets one do, for refusals ("… may not finalize invoices").
DOES = {
    Permission.LOAD: "load interaction data or import mappings",
    Permission.REFERENCE: "change reference data (vendors, contracts, rates, targets, service hours, holidays)",
    Permission.FINALIZE: "finalize invoices",
    Permission.RECONCILE: "upload vendor invoices for reconciliation",
    Permission.SUBMIT_INVOICE: "send its own invoices for reconciliation",
    Permission.ADJUST: "record adjustments, payments or late-payment damages",
    Permission.MANAGE_USERS: "manage users and roles",
    Permission.AUDIT: "read the audit trail",
}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset({Permission.LOAD, Permission.REFERENCE, Permission.MANAGE_USERS, Permission.AUDIT}),
    Role.FINANCE: frozenset({Permission.FINALIZE, Permission.RECONCILE, Permission.ADJUST, Permission.AUDIT}),
    Role.MANAGER: frozenset(),
    Role.VENDOR: frozenset({Permission.SUBMIT_INVOICE}),
    Role.LOCAL: frozenset(Permission),
}

# The permission that loading each table needs: money rows are finance's, the rest the admin's.
MONEY_TABLES = ("adjustments", "payments")
REFERENCE_TABLES = ("vendors", "contracts", "rates", "sla_targets", "service_hours", "holidays")


def table_permission(kind: str) -> Permission:
    if kind in MONEY_TABLES:
        return Permission.ADJUST
    return Permission.REFERENCE if kind in REFERENCE_TABLES else Permission.LOAD


class Forbidden(VendorboardError):
    """A role that may not make the change asked for."""


@dataclass(frozen=True)
class Scope:
    """What a caller may see: the vendors (None: every vendor) and whether draft invoices too.

    A vendor sees an invoice once finance has issued it (finalized): a draft is finance's working
    figure, which moves with every load and correction until then, and a finalized invoice's drift
    is measured against such a draft. Frozen and hashable, so it keys the dashboard's cache."""

    vendor_ids: frozenset[str] | None = None
    drafts: bool = True

    @property
    def everything(self) -> bool:
        return self.vendor_ids is None

    def allows(self, vendor_id: str | None) -> bool:
        return self.vendor_ids is None or vendor_id in self.vendor_ids

    def vendor_filter(self, column: str = "vendor_id") -> str:
        """A SQL predicate on `column` (a vendor id): TRUE for every vendor, FALSE for none."""
        if self.vendor_ids is None:
            return "TRUE"
        if not self.vendor_ids:
            return "FALSE"
        return f"{column} IN {sql_list(sorted(self.vendor_ids))}"

    def shared_filter(self) -> str:
        """A SQL predicate for rows of no one vendor (an ingest run's counts over every vendor, users,
        the audit trail): TRUE only for a scope of every vendor."""
        return "TRUE" if self.vendor_ids is None else "FALSE"

    def contract_filter(self, column: str = "contract_id") -> str:
        """A SQL predicate on `column` (a contract id): the contracts of the scope's vendors."""
        if self.vendor_ids is None:
            return "TRUE"
        return f"{column} IN (SELECT contract_id FROM contracts WHERE {self.vendor_filter('vendor_id')})"


EVERY_VENDOR = Scope()


@dataclass(frozen=True)
class Principal:
    """A caller: `login` (the audit trail's actor), its role, the vendors a `vendor` user is bound
    to, a display name and where it acts from (the dashboard and the browser's address, or the
    program and host)."""

    login: str
    role: Role
    vendor_ids: frozenset[str] = field(default_factory=frozenset)
    name: str | None = None
    origin: str = ""

    @property
    def scope(self) -> Scope:
        return Scope(self.vendor_ids, drafts=False) if self.role is Role.VENDOR else EVERY_VENDOR

    def can(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    def require(self, *permissions: Permission) -> Principal:
        """Self when the role has every permission, else a refusal naming the first one missing."""
        for permission in permissions:
            if not self.can(permission):
                raise Forbidden(f"{self.login} ({self.role}) may not {DOES[permission]}")
        return self


def os_user() -> Principal:
    """The machine's own user running this program: the CLI's caller (role `local`)."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (some containers)
        login = f"uid-{os.getuid()}"
    return Principal(login, Role.LOCAL, origin=f"{Path(sys.argv[0]).name or 'python'} on {socket.gethostname()}")


def acting(by: Principal | None) -> Principal:
    """The principal a write acts for: `by`, or the OS user when a program calls without one."""
    return by or os_user()


def is_loopback(address: str) -> bool:
    """Whether a bind address only serves this machine (`localhost`, 127.x, ::1)."""
    if address.strip().lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False
