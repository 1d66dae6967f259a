"""Use cases of reference data: load the sets from their files, record admin changes, answer queries."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from attkit.core import audit
from attkit.core.permissions import Permission, has_permission
from attkit.reference import datafiles, rules
from attkit.reference.models import (
    Category,
    Country,
    CrosswalkLink,
    CrosswalkScope,
    DataSet,
    DataSetKey,
    Embargo,
    HsCode,
)

if TYPE_CHECKING:
    from attkit.accounts.models import User


class ReferenceAuditKind(StrEnum):
    LOAD = "reference:load"
    CHANGE = "reference:change"


# What `attkit reference load --only X` loads, in dependency order.
GROUPS: dict[str, tuple[DataSetKey, ...]] = {
    "countries": (DataSetKey.COUNTRIES,),
    "categories": (DataSetKey.CATEGORIES,),
    "hs": (DataSetKey.HS, DataSetKey.CROSSWALK),
    "embargoes": (DataSetKey.EMBARGOES_UN, DataSetKey.EMBARGOES_OTHER),
}
ORDER = (
    DataSetKey.COUNTRIES,
    DataSetKey.CATEGORIES,
    DataSetKey.HS,
    DataSetKey.CROSSWALK,
    DataSetKey.EMBARGOES_UN,
    DataSetKey.EMBARGOES_OTHER,
)
EMBARGO_SETS = (DataSetKey.EMBARGOES_UN, DataSetKey.EMBARGOES_OTHER)
_ALPHA2 = re.compile(r"^[A-Z]{2}$")


@dataclass
class SetReport:
    """What one load did to one set."""

    key: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # rows changed in the admin, left alone
    removed: int = 0
    as_of: date | None = None
    set_changed: bool = False

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.kept

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed or self.set_changed)


# Loading ------------------------------------------------------------------------------------------


def load(
    only: Iterable[str] | None = None,
    *,
    actor: User | None = None,
    force: bool = False,
    data_dir: Path = datafiles.DATA_DIR,
) -> list[SetReport]:
    """Bring the reference sets in line with their files; running it again changes nothing.

    `only` names groups of GROUPS (countries, categories, hs, embargoes). Rows changed in the admin
    are kept unless `force`. A person who loads must be allowed to manage reference data; the
    command line and the demo load as the system (actor None).
    """
    if actor is not None:
        require_manage(actor)
    keys = _resolve(only)
    with transaction.atomic():
        reports = [_LOADERS[key](data_dir, force) for key in keys]
        changed = [r for r in reports if r.changed]
        if changed:
            audit.record(
                actor,
                ReferenceAuditKind.LOAD,
                None,
                {"force": force, "sets": {r.key: _report_payload(r) for r in changed}},
                actor_label=None if actor is not None else "attkit reference load",
                global_chain=True,
            )
    return reports


def ensure_loaded(*, data_dir: Path = datafiles.DATA_DIR) -> list[SetReport]:
    """Load the sets that were never loaded (the demo and a fresh database)."""
    present = set(DataSet.objects.values_list("key", flat=True))
    groups = [g for g, keys in GROUPS.items() if any(k.value not in present for k in keys)]
    return load(groups, data_dir=data_dir) if groups else []


def _resolve(only: Iterable[str] | None) -> list[DataSetKey]:
    if only is None:
        return list(ORDER)
    wanted: set[DataSetKey] = set()
    for group in only:
        if group not in GROUPS:
            raise ValueError(f"unknown set {group!r}; expected one of {', '.join(GROUPS)}")
        wanted.update(GROUPS[group])
    if DataSetKey.CROSSWALK in wanted and not Category.objects.exists():
        wanted.add(DataSetKey.CATEGORIES)  # the crosswalk links to categories
    return [k for k in ORDER if k in wanted]


def _report_payload(report: SetReport) -> dict[str, Any]:
    payload = asdict(report)
    payload.pop("key")
    return payload


M = TypeVar("M", bound=models.Model)
R = TypeVar("R")


def _sync(
    queryset: models.QuerySet[M],
    rows: Sequence[R],
    *,
    key_of_row: Callable[[R], Hashable],
    key_of_obj: Callable[[M], Hashable],
    values_of: Callable[[R, dict[Hashable, M]], dict[str, Any]],
    force: bool,
    report: SetReport,
) -> dict[Hashable, M]:
    """Create, update or delete rows so the table matches `rows`; rows edited in the admin stay."""
    model = queryset.model
    existing = {key_of_obj(obj): obj for obj in queryset}
    seen: dict[Hashable, M] = {}
    for row in rows:
        key = key_of_row(row)
        values = values_of(row, seen)
        obj = existing.pop(key, None)
        if obj is None:
            obj = model(**values)
            obj.save(force_insert=True)
            report.created += 1
        elif getattr(obj, "edited_in_admin", False) and not force:
            report.kept += 1
        else:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            if getattr(obj, "edited_in_admin", False):
                obj.edited_in_admin = False  # type: ignore[attr-defined]
                changed.append("edited_in_admin")
            if changed:
                for name in changed:
                    if name in values:
                        setattr(obj, name, values[name])
                obj.save(update_fields=[*changed, "updated_at"])
                report.updated += 1
            else:
                report.unchanged += 1
        seen[key] = obj
    for key, obj in existing.items():
        if getattr(obj, "edited_in_admin", False) and not force:
            report.kept += 1
            seen[key] = obj
            continue
        try:
            obj.delete()
            report.removed += 1
        except ProtectedError:  # another app's record still points at it
            report.kept += 1
            seen[key] = obj
    return seen


def _touch_set(meta: datafiles.SetMeta, report: SetReport, data_dir: Path, force: bool) -> None:
    """Record the set's source, as-of date and file digest; a set edited in the admin keeps its text."""
    digest = datafiles.files_digest(meta.files, data_dir)
    report.as_of = meta.as_of
    data_set = DataSet.objects.filter(key=meta.key).first()
    facts = {"files": ", ".join(meta.files), "sha256": digest, "row_count": report.rows}
    described = {"source": meta.source, "licence": meta.licence, "as_of": meta.as_of, "verify_at": meta.verify_at}
    if data_set is None:
        DataSet.objects.create(key=meta.key, loaded_at=timezone.now(), **facts, **described)
        report.set_changed = True
        return
    values = dict(facts)
    if force or not data_set.edited_in_admin:
        values.update(described)
        values["edited_in_admin"] = False
    else:
        report.as_of = data_set.as_of
    changed = [name for name, value in values.items() if getattr(data_set, name) != value]
    if changed or report.changed:
        for name in changed:
            setattr(data_set, name, values[name])
        data_set.loaded_at = timezone.now()
        data_set.save()
        report.set_changed = True


def _load_countries(data_dir: Path, force: bool) -> SetReport:
    report = SetReport(DataSetKey.COUNTRIES.value)
    rows = datafiles.read_countries(data_dir)
    _sync(
        Country.objects.all(),
        rows,
        key_of_row=lambda r: r.alpha2,
        key_of_obj=lambda o: o.alpha2,
        values_of=lambda r, _seen: asdict(r),
        force=force,
        report=report,
    )
    _touch_set(datafiles.set_meta(DataSetKey.COUNTRIES.value, data_dir=data_dir), report, data_dir, force)
    return report


def _load_categories(data_dir: Path, force: bool) -> SetReport:
    report = SetReport(DataSetKey.CATEGORIES.value)
    rows = datafiles.read_categories(data_dir)
    order = {row.code: index for index, row in enumerate(rows, start=1)}

    def values(row: datafiles.CategoryRow, seen: dict[Hashable, Category]) -> dict[str, Any]:
        data = asdict(row)
        parent = data.pop("parent")
        data["parent_id"] = seen[parent].pk if parent else None
        data["sort_order"] = order[row.code]
        return data

    _sync(
        Category.objects.all(),
        rows,
        key_of_row=lambda r: r.code,
        key_of_obj=lambda o: o.code,
        values_of=values,
        force=force,
        report=report,
    )
    _touch_set(datafiles.set_meta(DataSetKey.CATEGORIES.value, data_dir=data_dir), report, data_dir, force)
    return report


def _load_hs(data_dir: Path, force: bool) -> SetReport:
    report = SetReport(DataSetKey.HS.value)
    rows = datafiles.read_hs(data_dir)

    def values(row: datafiles.HsRow, seen: dict[Hashable, HsCode]) -> dict[str, Any]:
        parent = seen.get(row.parent)
        return {
            "code": row.code,
            "level": row.level,
            "parent_id": parent.pk if parent is not None else None,
            "section": row.section,
            "description_en": row.description,
        }

    _sync(
        HsCode.objects.all(),
        rows,
        key_of_row=lambda r: r.code,
        key_of_obj=lambda o: o.code,
        values_of=values,
        force=force,
        report=report,
    )
    _touch_set(datafiles.set_meta(DataSetKey.HS.value, data_dir=data_dir), report, data_dir, force)
    return report


def _load_crosswalk(data_dir: Path, force: bool) -> SetReport:
    report = SetReport(DataSetKey.CROSSWALK.value)
    rows = datafiles.read_crosswalk(data_dir)
    hs_ids = dict(HsCode.objects.values_list("code", "pk"))
    category_ids = dict(Category.objects.values_list("code", "pk"))
    for row in rows:
        if row.hs_code not in hs_ids:
            raise datafiles.DataFileError("crosswalk.csv", None, f"HS code {row.hs_code} is not loaded")
        if row.category and row.category not in category_ids:
            raise datafiles.DataFileError("crosswalk.csv", None, f"category {row.category} is not loaded")

    def values(row: datafiles.CrosswalkRow, _seen: dict[Hashable, CrosswalkLink]) -> dict[str, Any]:
        return {
            "hs_code_id": hs_ids[row.hs_code],
            "category_id": category_ids[row.category] if row.category else None,
            "scope": row.scope,
            "note_en": row.note_en,
            "note_es": row.note_es,
            "source": row.source,
        }

    _sync(
        CrosswalkLink.objects.select_related("hs_code", "category"),
        rows,
        key_of_row=lambda r: (r.hs_code, r.category),
        key_of_obj=lambda o: (o.hs_code.code, o.category.code if o.category else ""),
        values_of=values,
        force=force,
        report=report,
    )
    _touch_set(datafiles.set_meta(DataSetKey.CROSSWALK.value, data_dir=data_dir), report, data_dir, force)
    return report


def _embargo_loader(key: DataSetKey, imposed_by: str) -> Callable[[Path, bool], SetReport]:
    def load_set(data_dir: Path, force: bool) -> SetReport:
        report = SetReport(key.value)
        meta = datafiles.set_meta(key.value, data_dir=data_dir)
        rows = datafiles.read_embargoes(meta.files[0], default_imposed_by=imposed_by, data_dir=data_dir)

        def values(row: datafiles.EmbargoRow, _seen: dict[Hashable, Embargo]) -> dict[str, Any]:
            data = asdict(row)
            data["unverified_fields"] = ",".join(row.unverified_fields)
            data["verified"] = row.verified
            return data

        _sync(
            Embargo.objects.filter(imposed_by__in=sorted({r.imposed_by for r in rows}) or [imposed_by]),
            rows,
            key_of_row=lambda r: r.key,
            key_of_obj=lambda o: o.key,
            values_of=values,
            force=force,
            report=report,
        )
        as_of = datafiles.latest_status_date(rows)
        _touch_set(datafiles.set_meta(key.value, as_of=as_of, data_dir=data_dir), report, data_dir, force)
        return report

    return load_set


_LOADERS: dict[DataSetKey, Callable[[Path, bool], SetReport]] = {
    DataSetKey.COUNTRIES: _load_countries,
    DataSetKey.CATEGORIES: _load_categories,
    DataSetKey.HS: _load_hs,
    DataSetKey.CROSSWALK: _load_crosswalk,
    DataSetKey.EMBARGOES_UN: _embargo_loader(DataSetKey.EMBARGOES_UN, "UN"),
    DataSetKey.EMBARGOES_OTHER: _embargo_loader(DataSetKey.EMBARGOES_OTHER, "EU"),
}


# Changes made in the admin ------------------------------------------------------------------------


def can_manage(user: Any) -> bool:
    """Staff who hold REFERENCE_MANAGE (administrators), or a platform superuser."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return bool(getattr(user, "is_staff", False)) and has_permission(user, Permission.REFERENCE_MANAGE)


def require_manage(user: Any) -> None:
    if not can_manage(user):
        raise PermissionDenied(_("You do not have permission to change reference data."))


def save_change(user: User, obj: M, *, created: bool, changed_fields: Iterable[str] = ()) -> M:
    """Save a row changed in the admin, mark it so the loader leaves it alone, and audit the change.

    An administrator who unticks "edited in the admin" hands the row back to the loader.
    """
    require_manage(user)
    fields = list(changed_fields)
    with transaction.atomic():
        if hasattr(obj, "edited_in_admin") and "edited_in_admin" not in fields:
            obj.edited_in_admin = True  # unticking the box on purpose hands the row back to the loader
        obj.save()
        payload = {
            "action": "create" if created else "update",
            "fields": {name: _field_value(obj, name) for name in fields},
        }
        audit.record(user, ReferenceAuditKind.CHANGE, obj, payload, global_chain=True)
    return obj


def delete_row(user: User, obj: models.Model) -> None:
    """Delete a row in the admin, audited; a row other records point at cannot go."""
    require_manage(user)
    with transaction.atomic():
        audit.record(
            user, ReferenceAuditKind.CHANGE, obj, {"action": "delete", "label": str(obj)[:200]}, global_chain=True
        )
        obj.delete()


def _field_value(obj: models.Model, name: str) -> Any:
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:  # a form field that is not a model field: record only that it changed
        return "(changed)"
    return field.value_from_object(obj) if isinstance(field, models.Field) else "(changed)"


# Queries ------------------------------------------------------------------------------------------


def embargoes_for(country_code: str, *, imposed_by: Collection[str] | None = None) -> list[Embargo]:
    """The arms embargoes in force on a country (alpha-2 code), UN first; [] for an unknown code.

    List-based regimes with no territory (ISIL and Al-Qaida, the Taliban) are not tied to a country:
    see `list_based_embargoes`.
    """
    code = country_code.strip().upper()
    if not _ALPHA2.match(code):
        return []
    queryset = Embargo.objects.filter(target_iso2=code, active=True)
    if imposed_by is not None:
        queryset = queryset.filter(imposed_by__in=[i.upper() for i in imposed_by])
    return sorted(queryset, key=lambda e: (not e.is_un, e.key))


def applicable_embargoes(
    country_code: str, *, end_user_is_state: bool, imposed_by: Collection[str] | None = None
) -> list[Embargo]:
    """The embargoes on the country that catch a transfer to this kind of end user (see rules)."""
    return [
        e
        for e in embargoes_for(country_code, imposed_by=imposed_by)
        if rules.bars_transfer(e.scope, end_user_is_state=end_user_is_state)
    ]


def is_embargoed(country_code: str, *, end_user_is_state: bool, imposed_by: Collection[str] | None = None) -> bool:
    """True when an embargo in force bars a transfer to an end user in the country.

    full: always; partial: yes, until a person records the exemption; non_state_actors: unless the
    end user is the state; listed_only: no (the designated persons are a matter for screening).
    """
    return bool(applicable_embargoes(country_code, end_user_is_state=end_user_is_state, imposed_by=imposed_by))


def list_based_embargoes() -> list[Embargo]:
    """Regimes on designated persons wherever they are (no country code)."""
    return list(Embargo.objects.filter(target_iso2="", active=True).order_by("imposed_by", "key"))


def embargoes_as_of() -> date | None:
    """How current the embargo data are: the earliest as-of date of the embargo sets."""
    dates = [d for d in DataSet.objects.filter(key__in=EMBARGO_SETS).values_list("as_of", flat=True) if d]
    return min(dates) if dates else None


def crosswalk_for(hs_code: str) -> list[CrosswalkLink]:
    """The links of the most specific code that has any: '9302.00' falls back to heading 9302.

    Accepts dotted codes and national 8- or 10-digit tariff lines; [] when nothing is known.
    """
    code = datafiles.normalise_hs(hs_code)
    candidates = [code[:n] for n in (6, 4, 2) if len(code) >= n]
    for candidate in candidates:
        links = list(
            CrosswalkLink.objects.filter(hs_code__code=candidate)
            .select_related("hs_code", "category")
            .order_by("category__sort_order")
        )
        if links:
            return links
    return []


def categories_for_hs(hs_code: str) -> list[Category]:
    return [link.category for link in crosswalk_for(hs_code) if link.category is not None]


def is_outside_att(hs_code: str) -> bool:
    return any(link.scope == CrosswalkScope.OUTSIDE_ATT for link in crosswalk_for(hs_code))


def country(code: str) -> Country | None:
    """A country by its alpha-2 or alpha-3 code."""
    text = code.strip().upper()
    if len(text) == 2:
        return Country.objects.filter(alpha2=text).first()
    if len(text) == 3:
        return Country.objects.filter(alpha3=text).first()
    return None


def country_names(codes: Iterable[str]) -> dict[str, str]:
    """Alpha-2 code to the country's name in the active language (codes not found are left out)."""
    wanted = {c.upper() for c in codes if c}
    return {c.alpha2: c.name for c in Country.objects.filter(alpha2__in=wanted)}


def data_sets() -> dict[str, DataSet]:
    return {s.key: s for s in DataSet.objects.all()}
