"""How the dashboard signs people in, read from its configuration (docs/auth.md); no Streamlit here.

OpenID Connect is configured as Streamlit's `st.login` reads it: an `[auth]` table in
`.streamlit/secrets.toml` with `redirect_uri`, `cookie_secret` and the provider's `client_id`,
`client_secret` and `server_metadata_url` (in `[auth]` itself, or in one `[auth.NAME]` table per
provider). Local sign-in is on when some user in the database has a password. With neither, the
dashboard serves only this machine: one local administrator, no sign-in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

from metrics.errors import VendorboardError

PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
SHARED_KEYS = ("redirect_uri", "cookie_secret")
HOW = (
    "turn sign-in on: OpenID Connect in .streamlit/secrets.toml ([auth] with redirect_uri, cookie_secret, "
    "client_id, client_secret, server_metadata_url) or local users with passwords "
    "(vendorboard users add NAME --role admin --password); see docs/auth.md"
)


def secrets_files(cwd: Path | None = None) -> list[Path]:
    """Where Streamlit reads secrets by default: the user's, then the working folder's (which wins)."""
    return [Path.home() / ".streamlit" / "secrets.toml", (cwd or Path.cwd()) / ".streamlit" / "secrets.toml"]


def auth_section(files: list[Path] | None = None) -> dict:
    """The merged `[auth]` table of the secrets files that exist (later files win, as in Streamlit)."""
    merged: dict = {}
    for path in files if files is not None else secrets_files():
        if not path.is_file():
            continue
        try:
            found = tomllib.loads(path.read_text(encoding="utf-8")).get("auth", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise VendorboardError(f"{path}: not valid TOML ({exc})") from None
        merged |= found
    return merged


def providers(auth: Mapping) -> list[str]:
    """The identity providers `auth` configures, by the name `st.login` takes (`default` for the
    one in `[auth]` itself); [] when OpenID Connect is off. A half-configured provider is an error
    naming the missing key, so a typo never silently leaves the dashboard open."""
    if not auth:
        return []
    named = {k: v for k, v in auth.items() if isinstance(v, Mapping) and k != "client_kwargs"}
    found = (["default"] if any(k in auth for k in PROVIDER_KEYS) else []) + sorted(named)
    for name in found:
        section = auth if name == "default" else named[name]
        missing = [k for k in PROVIDER_KEYS if not section.get(k)]
        if missing:
            where = "[auth]" if name == "default" else f"[auth.{name}]"
            raise VendorboardError(f"secrets.toml {where}: missing {', '.join(missing)} (see docs/auth.md)")
    missing = [k for k in SHARED_KEYS if not auth.get(k)]
    if found and missing:
        raise VendorboardError(f"secrets.toml [auth]: missing {', '.join(missing)} (see docs/auth.md)")
    if not found:
        raise VendorboardError("secrets.toml [auth]: no identity provider (client_id, …; see docs/auth.md)")
    return found


def methods(db: Path, files: list[Path] | None = None) -> list[str]:
    """The sign-in methods the dashboard on `db` offers: `oidc:NAME` per provider, `password` when
    some user has one; [] means no sign-in (one local administrator, this machine only)."""
    from metrics import store, users  # not above: users writes through the store

    found = [f"oidc:{name}" for name in providers(auth_section(files))]
    if Path(db).exists():
        con = store.connect_reader(Path(db))
        try:
            found += ["password"] if users.has_passwords(con) else []
        finally:
            con.close()
    return found


def check_address(address: str, db: Path, files: list[Path] | None = None) -> list[str]:
    """The sign-in methods, after refusing to serve a non-loopback `address` without any: anyone
    who reached it would see every vendor and could finalize invoices."""
    from metrics.access import is_loopback

    found = methods(db, files)
    if not found and not is_loopback(address):
        raise VendorboardError(f"--address {address}: refusing to serve beyond this machine without sign-in; {HOW}")
    return found
