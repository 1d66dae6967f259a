"""attkit.wsgi makes the application ready before gunicorn forks: URL patterns loaded, the screening index
built in production, and no database connection left open for the workers to share."""

from __future__ import annotations

import pytest
from django.db import connection

from attkit import wsgi
from attkit.core.models import Authority
from attkit.screening import services
from attkit.screening.loaders import UN_SAMPLE


@pytest.mark.django_db(transaction=True)
def test_warm_up_builds_every_states_index_and_closes_the_connection(settings, tmp_path):
    settings.WARM_SCREENING_INDEX = True
    services.load_list("un", UN_SAMPLE)
    mx = Authority.objects.create(code="MX", country="MX", name_en="Mexico", name_es="México")
    Authority.objects.create(code="CR", country="CR", name_en="Costa Rica", name_es="Costa Rica")
    national = tmp_path / "national.csv"
    national.write_text("ref,name,schema\nMX-1,Juan Listado Nacional,person\n", encoding="utf-8")
    services.load_list("csv", national, authority=mx)
    services.invalidate_index()

    wsgi.warm_up()

    if connection.vendor == "postgresql":  # Django keeps SQLite's in-memory test database open
        assert connection.connection is None
    shared = tuple(sorted(str(v.pk) for v in services.current_versions(None)))
    mexican = tuple(sorted(str(v.pk) for v in services.current_versions(mx)))
    assert shared in services._INDEXES and mexican in services._INDEXES and shared != mexican
    assert len(services._INDEXES) == 2  # Costa Rica screens on the shared lists only
    # the first search reuses it: nothing more is built
    assert services.search("Juan Listado Nacional", authority=mx)
    assert len(services._INDEXES) == 2


@pytest.mark.django_db(transaction=True)
def test_warm_up_outside_production_loads_urls_only(settings):
    settings.WARM_SCREENING_INDEX = False
    services.load_list("un", UN_SAMPLE)
    services.invalidate_index()
    wsgi.warm_up()
    assert services._INDEXES == {}


@pytest.mark.django_db(transaction=True)
def test_what_warm_up_loaded_is_out_of_the_collectors_reach(settings):
    import gc

    settings.WARM_SCREENING_INDEX = True
    services.load_list("un", UN_SAMPLE)
    services.invalidate_index()
    gc.unfreeze()
    try:
        wsgi.warm_up()
        assert gc.get_freeze_count() > 0
        index = next(iter(services._INDEXES.values()))
        assert not any(obj is index for obj in gc.get_objects())  # frozen objects are not tracked
    finally:
        gc.unfreeze()
