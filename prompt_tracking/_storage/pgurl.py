"""Database URLs for the shared (team) store: parsing, password masking, the driver check.

A URL may carry a password; it must never reach output, logs, exceptions or local files.
`DatabaseURL` keeps the full URL private and shows itself only as
`postgresql://user@host:port/db`; `scrub()` removes the password from any text (a driver
error message, a traceback line) before it is logged or raised.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

ENV_DATABASE_URL = "PROMPT_TRACKING_DATABASE_URL"
SCHEMES = ("postgresql", "postgres")
INSTALL_HINT = "pip install 'prompt-tracking[postgres]'"
# libpq options a user may pass in the query string (sslmode, sslrootcert, ...); anything
# else is refused so a typo is reported instead of silently ignored.
_ALLOWED_OPTIONS = frozenset({
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslpassword", "connect_timeout",
    "application_name", "target_session_attrs", "options", "keepalives", "keepalives_idle",
    "gssencmode", "channel_binding",
})


class DatabaseURLError(ValueError):
    """The database URL cannot be used (wrong scheme, no database name, unknown option)."""


class DriverMissingError(ImportError):
    """psycopg (the PostgreSQL driver) is not installed."""


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed `postgresql://` URL; `str()` and `repr()` never show the password."""

    user: str | None
    host: str | None
    port: int | None
    dbname: str
    options: dict[str, str]
    _password: str | None = field(default=None, repr=False)
    _raw: str = field(default="", repr=False)

    @classmethod
    def parse(cls, url: str) -> DatabaseURL:
        """Parse and validate a URL.

        Raises:
            DatabaseURLError: it is not a usable PostgreSQL URL (the message shows it masked).
        """
        if not isinstance(url, str) or not url.strip():
            raise DatabaseURLError("the database URL is empty")
        url = url.strip()
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise DatabaseURLError(f"the database URL {mask_url(url)} is not a valid URL") from None
        if parts.scheme not in SCHEMES:
            raise DatabaseURLError(f"the database URL must start with postgresql:// "
                                   f"(got {mask_url(url)})")
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname:
            raise DatabaseURLError(f"the database URL {mask_url(url)} names no database "
                                   "(add /dbname)")
        options = dict(parse_qsl(parts.query, keep_blank_values=True))
        unknown = sorted(set(options) - _ALLOWED_OPTIONS)
        if unknown:
            raise DatabaseURLError(f"unknown option(s) {', '.join(unknown)} in {mask_url(url)}")
        password = unquote(parts.password) if parts.password is not None else None
        return cls(user=unquote(parts.username) if parts.username else None,
                   host=parts.hostname, port=port, dbname=dbname, options=options,
                   _password=password, _raw=url)

    @property
    def has_password(self) -> bool:
        return bool(self._password)

    def masked(self) -> str:
        """`postgresql://user@host:port/db?sslmode=...`: what is shown anywhere."""
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        query = "&".join(f"{k}={v}" for k, v in self.options.items() if k != "sslpassword")
        return f"postgresql://{user}{self.host or ''}{port}/{self.dbname}" + (f"?{query}" if query else "")

    def label(self) -> str:
        """`host/db`, for the analytics window's "shared store" label."""
        return f"{self.host or 'localhost'}/{self.dbname}"

    def connect_kwargs(self, *, connect_timeout: int) -> dict[str, Any]:
        """Keyword arguments for `psycopg.connect` (the URL's own options win)."""
        kwargs: dict[str, Any] = {"dbname": self.dbname, "connect_timeout": connect_timeout,
                                  "application_name": "prompt-tracking"}
        for key, value in (("user", self.user), ("host", self.host), ("port", self.port),
                           ("password", self._password)):
            if value is not None:
                kwargs[key] = value
        kwargs.update(self.options)
        return kwargs

    def scrub(self, text: str) -> str:
        """`text` with the password and the full URL replaced (for driver error messages)."""
        if self._raw:
            text = text.replace(self._raw, self.masked())
        if self._password:
            text = text.replace(self._password, "***")
        return text

    def __str__(self) -> str:
        return self.masked()


def mask_url(url: str) -> str:
    """Any URL-like text with the password part (`:secret@`) replaced by nothing."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "<not a URL>"
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        userinfo, _, hostport = authority.rpartition("@")
        authority = f"{userinfo.split(':', 1)[0]}@{hostport}"
    tail = "&".join(p for p in tail.split("&") if not p.split("=", 1)[0].endswith("password"))
    return f"{scheme}://{authority}{slash}{tail}"


def database_url_from_env() -> str | None:
    """`$PROMPT_TRACKING_DATABASE_URL`, or None when unset or blank."""
    value = os.environ.get(ENV_DATABASE_URL, "").strip()
    return value or None


def require_psycopg() -> Any:
    """The psycopg module.

    Raises:
        DriverMissingError: it is not installed; the message names the extra to install.
    """
    try:
        import psycopg
    except ImportError:
        raise DriverMissingError(
            f"the shared store needs the PostgreSQL driver: {INSTALL_HINT}") from None
    return psycopg
