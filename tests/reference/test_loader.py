"""Loading the reference sets from the real files: counts, idempotence, admin edits kept, audit."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from attkit.core.models import AuditEvent
from attkit.reference import datafiles, services
from attkit.reference.models import Category, Country, CrosswalkLink, DataSet, Embargo, HsCode

pytestmark = pytest.mark.django_db

EXPECTED = {"countries": 249, "categories": 25, "hs": 50, "crosswalk": 23, "embargoes_un": 14, "embargoes_other": 2}


def test_the_real_files_load_with_the_expected_counts(loaded):
    assert {r.key: r.rows for r in loaded} == EXPECTED
    assert {r.key: r.created for r in loaded} == EXPECTED
    assert Country.objects.count() == 249
    assert Country.objects.filter(in_lac=True).count() == 33
    assert Category.objects.count() == 25
    assert HsCode.objects.count() == 50
    assert CrosswalkLink.objects.count() == 23
    assert Embargo.objects.filter(imposed_by="UN").count() == 14
    assert Embargo.objects.filter(imposed_by="EU").count() == 2


def test_each_set_records_its_source_licence_and_as_of_date(loaded):
    sets = services.data_sets()
    assert set(sets) == set(EXPECTED)
    assert sets["hs"].licence == "ODC-PDDL-1.0" and sets["hs"].as_of == date(2022, 1, 1)
    assert sets["embargoes_un"].as_of == date(2026, 2, 12)
    assert sets["embargoes_other"].as_of == date(2025, 12, 15)
    assert sets["countries"].as_of == datafiles.pycountry_as_of()
    assert "pycountry" in sets["countries"].source
    assert all(s.source and s.sha256 and s.loaded_at and s.row_count == EXPECTED[k] for k, s in sets.items())
    assert services.embargoes_as_of() == date(2025, 12, 15)


def test_parents_are_linked(loaded):
    assert Category.objects.get(code="VIII-LW-6").parent == Category.objects.get(code="VIII")
    assert Category.objects.get(code="VII(b)").parent == Category.objects.get(code="VII")
    assert HsCode.objects.get(code="930110").parent == HsCode.objects.get(code="9301")
    assert HsCode.objects.get(code="9301").parent == HsCode.objects.get(code="93")
    assert HsCode.objects.get(code="8710").parent is None  # chapter 87 is not part of the set


def test_memory_rows_are_loaded_unverified(loaded):
    unverified = set(Embargo.objects.filter(verified=False).values_list("key", flat=True))
    assert unverified == {"un-cd", "un-ir", "un-iq", "un-sd", "eu-ve"}
    assert Embargo.objects.get(key="un-cd").unverified_fields == "latest_resolutions"
    assert Embargo.objects.get(key="un-kp").verified


def test_loading_twice_changes_nothing(loaded):
    events = AuditEvent.objects.count()
    stamps = dict(DataSet.objects.values_list("key", "loaded_at"))
    again = services.load()
    assert all(not r.changed for r in again)
    assert {r.key: r.unchanged for r in again} == EXPECTED
    assert AuditEvent.objects.count() == events
    assert dict(DataSet.objects.values_list("key", "loaded_at")) == stamps
    assert Country.objects.count() == 249 and Embargo.objects.count() == 16


def test_a_load_writes_one_audit_event_on_the_global_chain(db):
    services.load()
    events = list(AuditEvent.objects.filter(kind="reference:load"))
    assert len(events) == 1
    assert events[0].chain == "_global" and events[0].actor_label == "attkit reference load"
    assert events[0].payload["sets"]["embargoes_un"]["created"] == 14


def test_a_row_edited_in_the_admin_is_kept_unless_forced(loaded):
    embargo = Embargo.objects.get(key="un-cd")
    embargo.verified = True
    embargo.edited_in_admin = True
    embargo.save()
    report = {r.key: r for r in services.load(["embargoes"])}
    assert report["embargoes_un"].kept == 1
    assert Embargo.objects.get(key="un-cd").verified
    services.load(["embargoes"], force=True)
    reloaded = Embargo.objects.get(key="un-cd")
    assert not reloaded.verified and not reloaded.edited_in_admin


def test_a_changed_row_is_updated_and_a_stale_row_removed(loaded):
    Country.objects.filter(alpha2="MX").update(name_es="Mexico (typo)")
    Embargo.objects.create(key="un-zz", imposed_by="UN", target="Gone", scope="full", source="x")
    report = {r.key: r for r in services.load()}
    assert report["countries"].updated == 1
    assert report["embargoes_un"].removed == 1
    assert Country.objects.get(alpha2="MX").name_es == "México"
    assert not Embargo.objects.filter(key="un-zz").exists()
    assert Embargo.objects.filter(imposed_by="EU").count() == 2  # the UN set leaves EU rows alone


def test_only_loads_the_named_group_and_pulls_in_categories_for_the_crosswalk(db):
    reports = services.load(["hs"])
    assert [r.key for r in reports] == ["categories", "hs", "crosswalk"]
    assert not Country.objects.exists() and not Embargo.objects.exists()
    with pytest.raises(ValueError, match="unknown set"):
        services.load(["weather"])


def test_a_bad_file_loads_nothing(db, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(datafiles.DATA_DIR, data)
    path = data / "other_arms_embargoes.csv"
    path.write_text(path.read_text().replace(",VE,full,", ",VE,total,"), encoding="utf-8")
    with pytest.raises(datafiles.DataFileError):
        services.load(data_dir=data)
    assert not Country.objects.exists() and not DataSet.objects.exists()


def test_ensure_loaded_only_fills_what_is_missing(db):
    services.load(["countries"])
    reports = services.ensure_loaded()
    assert [r.key for r in reports] == ["categories", "hs", "crosswalk", "embargoes_un", "embargoes_other"]
    assert services.ensure_loaded() == []


def test_a_person_loading_must_manage_reference_data(make_user):
    from django.core.exceptions import PermissionDenied

    from attkit.core.permissions import Role

    with pytest.raises(PermissionDenied):
        services.load(actor=make_user("MX", Role.LICENSING_OFFICER))


def test_the_demo_loads_the_reference_data_once(db):
    from attkit.core.demo import DemoContext
    from attkit.reference import demo

    ctx = DemoContext()
    demo.load(ctx, quick=True)
    assert Embargo.objects.count() == 16 and Country.objects.count() == 249
    assert ctx.notes and "embargoes_un 14" in ctx.notes[0]
    demo.load(ctx, quick=True)
    assert len(ctx.notes) == 1
