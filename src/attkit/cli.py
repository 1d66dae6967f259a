"""The `attkit` console script: Django's management commands with attkit's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attkit.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.db import InterfaceError, OperationalError

    args = list(sys.argv if argv is None else ["attkit", *argv])
    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018  (load settings now, so a bad one is reported plainly)
        from django.core.management import execute_from_command_line

        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        print(f"attkit: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except (OperationalError, InterfaceError) as exc:
        # A lost connection or a lock timeout: the step in progress rolled back; one line, not a traceback.
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"attkit: the database could not complete the command ({reason}); run it again.", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
