"""Row-level scope in the engine (metrics/access.py `Scope`, docs/auth.md "What a vendor sees"):
every read the dashboard, the CLI and the report make keeps to the caller's vendors, in SQL.

The data: the committed sample (four vendors: V-TEL, V-PT, V-HOME, V-AS), with finance having
finalized C-TEL's August and October and C-PT's August, September and October, and V-TEL's and
V-PT's users each having sent their October invoice through the portal. Then, so that each of the
two has something of its own in every read, a load of EXTRA rows: a holiday of V-PT, rejected
chats of both in October, chats of both before their contracts began (out of contract), a payment
of C-PT's November (not finalized: unapplied) and a chat of a V-TEL agent first answered after a
minute (the agent misses C-TEL's 3-second first response in October), and a malformed chat line
of V-PT's (which names no vendor it can be read as: finance's to see). Each read is called for a
vendor user of V-TEL and of V-PT twice: for its own contract (and vendor, agent, target) — the
answer is not empty and holds no id, name or payee of any other vendor — and for another vendor's
(what `?contract=OTHER` asks) — the answer is empty or the same refusal as for an id that does not
exist, and again holds nothing of the other vendors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from conftest import write_data

from dashboard import common
from metrics import (
    agents,
    audit,
    billing,
    catalog,
    data_health,
    drilldown,
    export,
    payments,
    quality,
    sla,
    store,
    uploads,
    users,
)
from metrics import reconcile as reconciliation
from metrics.access import EVERY_VENDOR, Principal, Role, os_user
from metrics.agents import AgentFigure
from metrics.config import SAMPLE_DATA
from metrics.errors import VendorboardError
from metrics.export.content import gather
from metrics.imports import parse as parse_mapping
from metrics.imports import saved
from metrics.ingest import sources_in_dir
from metrics.loading import ingest

AUG, SEP, OCT = dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)
FINALIZED = {"C-TEL": (AUG, OCT), "C-PT": (AUG, SEP, OCT)}
VENDORS = {"V-TEL": "C-TEL", "V-PT": "C-PT"}  # the two vendor users' vendors and contracts
OTHER = {"V-TEL": "V-PT", "V-PT": "V-TEL"}
FINANCE = Principal("fay@example.com", Role.FINANCE, origin="test")
EXTRA = {
    "holidays": """
        vendor_id,date,kind,name
        V-PT,2026-10-01,closed,国庆节
    """,
    "chats": """
        chat_id,vendor_id,started_at,first_response_at,ended_at,agent_id,csat
        X-PT-1,V-PT,2026-10-07 10:00:00,2026-10-07 10:00:05,2026-10-07 10:10:00,,9
        X-TEL-1,V-TEL,2026-10-07 10:00:00,2026-10-07 10:00:05,2026-10-07 10:10:00,,9
        X-PT-2,V-PT,2025-12-07 10:00:00,2025-12-07 10:00:05,2025-12-07 10:10:00,,
        X-TEL-2,V-TEL,2025-12-07 10:00:00,2025-12-07 10:00:05,2025-12-07 10:10:00,,
        X-TEL-3,V-TEL,2026-10-08 10:00:00,2026-10-08 10:01:00,2026-10-08 10:10:00,TEL-C99999,
        X-PT-3,V-PT,2026-10-09 10:00:00,"unterminated
    """,
    "payments": """
        contract_id,month,paid_on,amount,reference,currency,payer_account
        C-PT,2026-11,2026-11-20,100.00,X-PAY-1,CNY,
    """,
}


def vendor_user(vendor_id: str) -> Principal:
    return Principal(f"{vendor_id.lower()}@vendor.example", Role.VENDOR, frozenset({vendor_id}), origin="test")


@pytest.fixture(scope="module")
def db(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scope") / "scoped.duckdb"
    shutil.copyfile(sample_db, path)
    for contract_id, months in FINALIZED.items():
        for month in months:
            billing.finalize(path, month, contract_id, "sample data: planted bad rows", by=FINANCE)
    for vendor_id, contract_id in VENDORS.items():
        body = (SAMPLE_DATA / "vendor_invoices" / f"{contract_id}_2026-10.csv").read_bytes()
        uploads.submit_invoice(path, OCT, f"{contract_id}-october.csv", body, by=vendor_user(vendor_id))
        mapping = parse_mapping(
            {"table": "calls", "fields": {"call_id": "id", "offered_at": "start", "ended_at": "end"}}, "pbx.toml"
        )
        saved.save(path, vendor_id, "pbx", mapping, by=os_user())
    users.add(path, "v-tel@vendor.example", "vendor", ["V-TEL"], by=os_user())
    ingest(path, sources_in_dir(write_data(path.parent / "extra", EXTRA)))
    return path


@pytest.fixture(scope="module")
def con(db: Path):
    connection = store.connect_reader(db)
    yield connection
    connection.close()


@dataclasses.dataclass(frozen=True)
class Asked:
    """What a call asks for: a contract, its vendor, one of its targets, one of its agents' figures,
    and a vendor invoice of the contract (its total only)."""

    contract_id: str
    vendor_id: str
    target: drilldown.Target
    figure: AgentFigure
    invoice: Path

    def renamed(self, contract_id: str, vendor_id: str) -> Asked:
        """The same question about other ids (the target and figure of that contract, a file of it)."""
        invoice = self.invoice.with_name(f"{contract_id}.csv")
        invoice.write_text(f"contract_id,month,channel,unit,quantity,amount\n{contract_id},2026-10,total,,,1.00\n")
        return Asked(
            contract_id,
            vendor_id,
            dataclasses.replace(self.target, contract_id=contract_id),
            dataclasses.replace(self.figure, contract_id=contract_id),
            invoice,
        )


@pytest.fixture(scope="module")
def asked(con, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Asked]:
    """What a link about the vendor's contract asks for: the first target and agent figure of its
    October (read with every vendor's scope, as finance would have them in a link)."""
    folder = tmp_path_factory.mktemp("vendor-files")

    def of(vendor_id: str) -> Asked:
        contract_id = VENDORS[vendor_id]
        t = sla.verdicts(con, OCT, contract_id).row(0, named=True)
        f = agents.figures(con, OCT, contract_id).filter(pl.col("target").is_not_null()).row(0, named=True)
        target = drilldown.Target(OCT, contract_id, t["channel"], t["metric"], t["threshold_seconds"], t["clock"])
        figure = AgentFigure(
            OCT, contract_id, f["agent_id"], f["channel"], f["metric"], f["threshold_seconds"], f["clock"], True
        )
        return Asked(contract_id, vendor_id, target, figure, folder / "x.csv").renamed(contract_id, vendor_id)

    return of


# Every read, called with what is asked (`a`) under a scope (`s`).
READS: dict[str, tuple[Callable, Callable]] = {
    "vendors": (catalog.vendors, lambda c, a, s: catalog.vendors(c, scope=s)),
    "contracts": (catalog.contracts, lambda c, a, s: catalog.contracts(c, OCT, scope=s)),
    "months": (catalog.months_with_data, lambda c, a, s: catalog.months_with_data(c, scope=s)),
    "rate_card": (catalog.rate_card, lambda c, a, s: catalog.rate_card(c, a.contract_id, scope=s)),
    "targets": (catalog.targets, lambda c, a, s: catalog.targets(c, a.contract_id, scope=s)),
    "service_hours": (catalog.service_hours, lambda c, a, s: catalog.service_hours(c, a.contract_id, scope=s)),
    "holidays": (catalog.holidays, lambda c, a, s: catalog.holidays(c, a.vendor_id, scope=s)),
    "verdicts": (sla.verdicts, lambda c, a, s: sla.verdicts(c, OCT, a.contract_id, scope=s)),
    "verdicts_all": (sla.verdicts, lambda c, a, s: sla.verdicts(c, OCT, scope=s)),
    "history": (sla.history, lambda c, a, s: sla.history(c, OCT, scope=s)),
    "series": (sla.series, lambda c, a, s: sla.series(c, OCT, a.contract_id, "day", scope=s)),
    "evidence": (
        sla.evidence,
        lambda c, a, s: sla.evidence(c, OCT, a.contract_id, a.target.channel, a.target.metric, scope=s).pl(),
    ),
    "evidence_counts": (drilldown.counts, lambda c, a, s: drilldown.counts(c, a.target, scope=s)),
    "evidence_page": (drilldown.page, lambda c, a, s: drilldown.page(c, a.target, limit=None, scope=s)),
    "distribution": (drilldown.distribution, lambda c, a, s: drilldown.distribution(c, a.target, scope=s)[1]),
    "agent_evidence": (drilldown.page, lambda c, a, s: drilldown.page(c, a.figure, limit=None, scope=s)),
    "invoices": (billing.with_drift, lambda c, a, s: billing.with_drift(c, OCT, a.contract_id, scope=s)),
    "invoices_all": (billing.invoices, lambda c, a, s: billing.invoices(c, OCT, scope=s)),
    "stored_invoices": (billing.stored_invoices, lambda c, a, s: billing.stored_invoices(c, OCT, scope=s)),
    "drafts": (billing.compute, lambda c, a, s: billing.compute(c, OCT, scope=s)),
    "reconcile": (reconciliation.reconcile, lambda c, a, s: reconciliation.reconcile(c, OCT, a.invoice, scope=s)),
    "freshness": (data_health.freshness, lambda c, a, s: data_health.freshness(c, scope=s)),
    "quarantine_summary": (data_health.quarantine_summary, lambda c, a, s: data_health.quarantine_summary(c, scope=s)),
    "quarantine_month": (
        data_health.quarantine_summary,
        lambda c, a, s: data_health.quarantine_summary(c, data_health.Rejected(OCT, a.contract_id), scope=s),
    ),
    "quarantine_rows": (
        data_health.quarantine_rows,
        lambda c, a, s: data_health.quarantine_rows(c, limit=None, scope=s),
    ),
    "quarantine_count": (data_health.quarantine_count, lambda c, a, s: data_health.quarantine_count(c, scope=s)),
    "quarantine_of_vendor": (  # `vendorboard quarantine --vendor V --month M`
        data_health.quarantine_rows,
        lambda c, a, s: data_health.quarantine_rows(
            c, None, None, None, 0, data_health.Rejected(OCT), a.vendor_id, scope=s
        ),
    ),
    "out_of_contract": (data_health.out_of_contract, lambda c, a, s: data_health.out_of_contract(c, scope=s)),
    "ingest_runs": (data_health.ingest_runs, lambda c, a, s: data_health.ingest_runs(c, scope=s)),
    "receivables": (payments.receivables, lambda c, a, s: payments.receivables(c, dt.date(2026, 11, 30), scope=s)),
    "payment_statuses": (
        payments.statuses,
        lambda c, a, s: payments.statuses(c, dt.date(2026, 11, 30), a.contract_id, scope=s),
    ),
    "unapplied": (payments.unapplied, lambda c, a, s: payments.unapplied(c, dt.date(2026, 11, 30), scope=s)),
    "payments_of": (payments.payments_of, lambda c, a, s: payments.payments_of(c, a.contract_id, AUG, scope=s)),
    "saved_mappings": (saved.saved, lambda c, a, s: saved.saved(c, a.vendor_id, scope=s)),
    "findings": (quality.findings, lambda c, a, s: quality.findings(c, OCT, a.contract_id, scope=s)),
    "findings_all": (quality.findings, lambda c, a, s: quality.findings(c, OCT, scope=s)),
    "agent_figures": (agents.figures, lambda c, a, s: agents.figures(c, OCT, a.contract_id, scope=s)),
    "agent_trend": (
        agents.trend,
        lambda c, a, s: agents.trend(c, OCT, a.contract_id, a.figure.agent_id, scope=s),
    ),
    "below_target": (agents.below_target, lambda c, a, s: agents.below_target(c, OCT, 1, scope=s)),
    "report_content": (gather, lambda c, a, s: gather(c, OCT, scope=s)),
    "submissions": (uploads.submissions, lambda c, a, s: uploads.submissions(c, OCT, scope=s)),
    "users": (users.users, lambda c, a, s: users.users(c, scope=s)),
    "audit": (audit.entries, lambda c, a, s: audit.entries(c, scope=s)),
}
# What a vendor sees none of: rows of no one vendor (users, the audit trail, the ingest runs' counts
# over every vendor) and draft invoices.
NONE_FOR_VENDORS = {"users", "audit", "ingest_runs", "drafts"}
# Reads that take no contract, vendor or target: asking for another's is the same call.
UNASKED = {
    "vendors",
    "contracts",
    "months",
    "verdicts_all",
    "history",
    "invoices_all",
    "stored_invoices",
    "drafts",
    "freshness",
    "quarantine_summary",
    "quarantine_rows",
    "quarantine_count",
    "out_of_contract",
    "ingest_runs",
    "receivables",
    "unapplied",
    "findings_all",
    "below_target",
    "report_content",
    "submissions",
    "users",
    "audit",
}


def text(found: object) -> str:
    """Everything a result holds, as text (frames in full, not their shortened repr)."""
    if isinstance(found, pl.DataFrame):
        return found.write_csv() if not any(isinstance(t, pl.List) for t in found.dtypes) else str(found.to_dicts())
    if dataclasses.is_dataclass(found) and not isinstance(found, type):
        return "\n".join(text(getattr(found, f.name)) for f in dataclasses.fields(found))
    if isinstance(found, dict):
        return "\n".join(f"{text(k)}={text(v)}" for k, v in found.items())
    if isinstance(found, list | tuple | set | frozenset):
        return "\n".join(text(x) for x in found)
    return str(found)


def nonempty(found: object) -> bool:
    if isinstance(found, pl.DataFrame):
        return found.height > 0
    if dataclasses.is_dataclass(found) and not isinstance(found, type):
        return any(nonempty(getattr(found, f.name)) for f in dataclasses.fields(found) if f.name not in ("as_of",))
    if isinstance(found, list | tuple | dict | set):
        return len(found) > 0
    return bool(found)


@pytest.fixture(scope="module")
def others(con) -> Callable[[str], list[str]]:
    """What names another vendor than `vendor_id`: vendor ids and names, contract ids and payees,
    agent ids (read with every vendor's scope)."""

    def of(vendor_id: str) -> list[str]:
        rows = con.execute(
            """SELECT v.vendor_id, v.name FROM vendors v WHERE v.vendor_id <> $v
               UNION ALL SELECT contract_id, coalesce(payee, contract_id) FROM contracts WHERE vendor_id <> $v
               UNION ALL SELECT agent_id, agent_id FROM agents WHERE vendor_id <> $v""",
            {"v": vendor_id},
        ).fetchall()
        return sorted({m for pair in rows for m in pair})

    return of


def leaks(found: str, markers: list[str]) -> list[str]:
    return [m for m in markers if m in found]


@pytest.mark.parametrize("vendor_id", list(VENDORS))
@pytest.mark.parametrize("name", list(READS))
def test_every_read_keeps_to_the_callers_vendors(con, asked, others, name, vendor_id):
    _, call = READS[name]
    scope = vendor_user(vendor_id).scope
    markers = others(vendor_id)
    assert "V-HOME" in markers and VENDORS[OTHER[vendor_id]] in markers and vendor_id not in markers

    own = call(con, asked(vendor_id), scope)
    assert leaks(text(own), markers) == []
    if name in NONE_FOR_VENDORS:
        assert not nonempty(own) and nonempty(call(con, asked(vendor_id), EVERY_VENDOR))  # finance sees them
    else:
        assert nonempty(own)
    if name in UNASKED:
        return
    # another vendor's contract (its vendor, target, agent) asked for, as by ?contract=OTHER
    other = asked(OTHER[vendor_id])
    assert nonempty(call(con, other, EVERY_VENDOR))  # it has something to show, to finance
    try:
        theirs = call(con, other, scope)
    except VendorboardError as refused:
        # refused as an id that does not exist is: nothing says that the other's exists
        with pytest.raises(VendorboardError) as missing:
            call(con, other.renamed("C-NONE", "V-NONE"), scope)
        said = str(refused).replace(other.contract_id, "C-NONE").replace(other.vendor_id, "V-NONE")
        assert said == str(missing.value)
    else:
        assert not nonempty(theirs), f"{name} answered about another vendor's {other.contract_id}"
        assert leaks(text(theirs), markers) == []


def test_the_list_of_reads_is_complete():
    """Every engine call a page can make is in READS, and every read takes `scope` as a keyword
    defaulting to every vendor (the CLI's)."""
    functions = {fn for fn, _ in READS.values()}
    assert set(common.ENGINE.values()) <= functions, set(common.ENGINE) - {
        k for k, fn in common.ENGINE.items() if fn in functions
    }
    for fn in functions | {export.report, sla.evidence}:
        parameter = inspect.signature(fn).parameters["scope"]
        assert (parameter.kind, parameter.default) == (inspect.Parameter.KEYWORD_ONLY, EVERY_VENDOR), fn


def test_a_vendor_sees_its_invoices_once_issued(con):
    # C-TEL's September is a draft (finance finalized August and October only): finance sees it, V-TEL
    # does not; October is issued: V-TEL sees it as stored, without a drift against a fresh draft.
    tel = vendor_user("V-TEL").scope
    assert [(i.contract_id, i.status) for i, _ in billing.with_drift(con, SEP, "C-TEL")] == [("C-TEL", "draft")]
    assert billing.with_drift(con, SEP, "C-TEL", scope=tel) == []
    assert billing.invoices(con, SEP, scope=tel) == []
    [(issued, drift)] = billing.with_drift(con, OCT, scope=tel)
    assert (issued.contract_id, issued.status, drift) == ("C-TEL", "finalized", [])
    assert issued == billing.stored_invoices(con, OCT, "C-TEL")[0]


def test_cached_reads_are_keyed_by_scope():
    """The dashboard's cache takes the scope as part of its key (a Scope is frozen and hashable)."""
    assert list(inspect.signature(common._cached).parameters) == ["path", "version", "name", "args", "scope"]
    tel, pt = vendor_user("V-TEL").scope, vendor_user("V-PT").scope
    assert tel != pt and hash(tel) == hash(vendor_user("V-TEL").scope) and tel != EVERY_VENDOR


def test_a_cached_read_is_the_engines_result_itself_per_scope(db: Path):
    """A rerun gets the cached frame itself, not a pickled copy (77,660 rows of agent figures cost
    20-30 ms a read at 10 M calls); another scope or another data version is another entry."""
    version, tel = store.data_version(db), vendor_user("V-TEL").scope
    try:
        mine = common._cached(str(db), version, "verdicts", (OCT,), EVERY_VENDOR)
        assert common._cached(str(db), version, "verdicts", (OCT,), EVERY_VENDOR) is mine
        theirs = common._cached(str(db), version, "verdicts", (OCT,), tel)
        assert set(theirs["vendor_id"]) == {"V-TEL"} < set(mine["vendor_id"])
        assert common._cached(str(db), (0, 0), "verdicts", (OCT,), EVERY_VENDOR) is not mine
    finally:
        common._cached.clear()
        common._reader.clear()  # closes the connections


@pytest.mark.slow
@pytest.mark.parametrize("vendor_id", list(VENDORS))
def test_a_vendors_report_holds_nothing_of_another(con, others, tmp_path, vendor_id):
    """The monthly report a vendor user builds: PDF (as text), workbook (every cell) and CSVs."""
    written = export.report(con, OCT, tmp_path, scope=vendor_user(vendor_id).scope)
    assert {p.suffix for p in written} == {".pdf", ".xlsx", ".csv"}
    markers = others(vendor_id)
    for path in written:
        if path.suffix == ".pdf":
            body = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            body = "\n".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row) + str(book.sheetnames)
        else:
            body = path.read_text(encoding="utf-8-sig")
        assert VENDORS[vendor_id] in body, path.name  # its own is there
        assert leaks(body, markers) == [], path.name


def test_rejected_rows_of_no_known_vendor_are_finances(con):
    """A line that cannot be read names no vendor: it may be anyone's, so only finance sees it."""
    everything = data_health.quarantine_rows(con, "chats", "malformed_line", limit=None)
    assert everything["raw"].str.contains("X-PT-3").to_list() == [True]
    for vendor_id in VENDORS:
        scope = vendor_user(vendor_id).scope
        assert data_health.quarantine_rows(con, "chats", "malformed_line", limit=None, scope=scope).is_empty()
        assert [f for f in quality.findings(con, OCT, scope=scope) if f.vendor_id is None] == []
    # the sample's unreadable rows (e.g. chats of an unknown vendor) and X-PT-3: finance's findings
    assert [f.check for f in quality.findings(con, OCT) if f.vendor_id is None] == ["undated_quarantine"]
