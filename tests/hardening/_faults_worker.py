"""A worker process for the fault tests: runs one real use case and stops in the middle, holding its locks.

    python tests/hardening/_faults_worker.py <operation> <audit kind> <user id> <object id>

The process sets Django up on the database named by ATTKIT_TEST_DATABASE_URL (the test's), starts the use
case, and when the use case takes the audit-chain lock for the event of <audit kind> (by then it holds every
row lock it takes), prints "HOLDING <backend pid>" and sleeps until it is killed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def main(operation: str, kind: str, user_id: str, object_id: str) -> None:
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attkit.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from attkit.accounts.models import User
    from attkit.core import audit

    armed = {"on": False}
    lock_chain, record = audit._lock_chain, audit.record

    def hold_after_lock(chain: str) -> None:
        lock_chain(chain)
        if armed["on"]:
            assert connection.connection is not None
            print(f"HOLDING {connection.connection.info.backend_pid}", flush=True)
            time.sleep(3600)  # killed here, in the middle of the transaction

    def arming_record(*args: Any, **kwargs: Any) -> Any:
        armed["on"] = str(args[1] if len(args) > 1 else kwargs.get("kind")) == kind
        return record(*args, **kwargs)

    audit._lock_chain = hold_after_lock  # type: ignore[assignment]
    audit.record = arming_record  # type: ignore[assignment]
    by = User.objects.get(pk=user_id)
    if operation == "euc-issue":
        from attkit.euc import services as euc

        euc.issue(object_id, by=by)
    elif operation == "shipment":
        from attkit.licensing import services as licensing

        licensing.record_shipment(
            object_id,
            by=by,
            declaration_number="DE-EXP-KILLED",
            shipment_date=timezone.localdate(),
            lines=[{"line": 1, "quantity": 40}, {"line": 2, "quantity": 10}],
        )
    else:
        raise SystemExit(f"unknown operation {operation}")
    print("FINISHED without being killed", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:5])
