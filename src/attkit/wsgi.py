"""WSGI entry point for gunicorn: `gunicorn attkit.wsgi` (scripts/serve-prod.sh adds --preload).

The application is made ready when this module is imported: with --preload that is once, in gunicorn's
master, before it forks the workers; without it, in each worker before its first request. Every URL
pattern and view module is imported (Django would do it on the first request, which then took seconds),
and in production the screening index over the current lists is built (ATTKIT_WARM_SCREENING_INDEX). A
worker that gunicorn recycles (--max-requests) is then a fork of a warm process, not one that answers its
first requests seconds late. Database connections opened here are closed before any fork, and what was
loaded is moved out of the garbage collector's reach (gc.freeze).
"""

import gc
import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attkit.settings")
application = get_wsgi_application()

logger = logging.getLogger("attkit.wsgi")


def warm_up() -> None:
    from django.conf import settings
    from django.db import DatabaseError, connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every URLconf and view module)
    try:
        if settings.WARM_SCREENING_INDEX:
            from attkit.screening.services import warm_all_indexes

            count = warm_all_indexes()
            logger.info("screening index built", extra={"indexes": count})
    except DatabaseError as exc:  # not migrated yet, or no database: each worker builds it when first asked
        logger.warning("screening index not built at start: %s", exc)
    finally:
        connections.close_all()  # a connection must not be shared by forked workers
    # What is loaded now lives as long as the process: the cyclic garbage collector need not walk it again.
    # Without this each full collection in a worker walked the millions of objects of the screening index
    # (pauses of a second in the load benchmark), and touching them copied the pages forked workers share.
    gc.freeze()


warm_up()
