"""Fault injection for the fault tests: the database connection dropped at a chosen point inside a service.

On PostgreSQL the drop is real: the server ends the session (``pg_terminate_backend``, as a restart, a
fail-over or an administrator would) or the client's socket is cut (as a network would). SQLite has no
connection to lose: the database raises OperationalError at the same point (a disk or lock error), which
still proves the use case is all-or-nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import OperationalError, connection

TERMINATE = "terminate"  # the server ends the session
CUT = "cut"  # the client's socket is shut down under the driver


def admin_connection() -> Any:
    """A second PostgreSQL connection to the test database, outside Django, in autocommit."""
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        autocommit=True,
    )


def drop_connection(how: str = TERMINATE) -> None:
    """Lose Django's database connection now, in the middle of whatever it is doing."""
    if connection.vendor != "postgresql":
        raise OperationalError("disk I/O error (injected by the fault test)")
    raw = connection.connection
    assert raw is not None, "no open connection to drop"
    if how == TERMINATE:
        pid = raw.info.backend_pid
        with admin_connection() as admin:
            # The timeout makes the call wait until the backend has really gone (PostgreSQL 14+).
            ended = admin.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()
        assert ended and ended[0], f"backend {pid} did not end"
    elif how == CUT:
        sock = socket.socket(fileno=os.dup(raw.fileno()))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()
    else:
        raise ValueError(how)


@dataclass
class Fault:
    how: str
    fired: int = 0


@contextlib.contextmanager
def drop_at(
    target: object,
    name: str,
    *,
    how: str = TERMINATE,
    after: bool = False,
    when: Callable[..., bool] | None = None,
) -> Iterator[Fault]:
    """Patch target.name so that its first matching call drops the connection, before or after it runs."""
    original = getattr(target, name)
    fault = Fault(how)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if fault.fired or (when is not None and not when(*args, **kwargs)):
            return original(*args, **kwargs)
        fault.fired += 1
        if not after:
            drop_connection(how)
            return original(*args, **kwargs)
        result = original(*args, **kwargs)
        drop_connection(how)
        return result

    setattr(target, name, wrapper)
    try:
        yield fault
    finally:
        setattr(target, name, original)


def audit_kind(kind: str) -> Callable[..., bool]:
    """A `when` for attkit.core.audit.record: the call that writes an event of this kind."""
    return lambda *args, **kwargs: str(args[1] if len(args) > 1 else kwargs.get("kind")) == kind


def reconnect() -> None:
    """After a drop Django holds a dead connection: close it, the next query opens a fresh one."""
    connection.close()


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def database_state() -> dict[str, str]:
    """Row count and a digest of every row of every table: two equal states mean nothing was written."""
    state: dict[str, str] = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        rows = [tuple(_plain(v) for v in row) for row in model._base_manager.order_by("pk").values_list()]
        digest = hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()[:16]
        state[meta.label] = f"{len(rows)} rows {digest}"
    return state


def files_state() -> set[str]:
    """Every file under the media and keys folders (printed documents, uploads, key files)."""
    roots = {Path(settings.MEDIA_ROOT), Path(settings.KEYS_DIR)}
    return {str(p) for root in roots if root.exists() for p in root.rglob("*") if p.is_file()}


def changed_tables(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[str | None, str | None]]:
    return {k: (before.get(k), after.get(k)) for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
