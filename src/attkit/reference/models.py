"""Reference data shared by every authority: countries, categories, HS codes and crosswalk, embargoes."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from attkit.reference import datafiles


def _spanish() -> bool:
    return (get_language() or "en").startswith("es")


class DataSetKey(models.TextChoices):
    COUNTRIES = "countries", _("Countries")
    CATEGORIES = "categories", _("Categories")
    HS = "hs", _("HS 2022 codes")
    CROSSWALK = "crosswalk", _("HS crosswalk")
    EMBARGOES_UN = "embargoes_un", _("UN Security Council arms embargoes")
    EMBARGOES_OTHER = "embargoes_other", _("Other arms embargoes")


class DataSet(models.Model):
    """One set of reference data: where it comes from and how current it is."""

    key = models.CharField(_("set"), max_length=32, unique=True, choices=DataSetKey.choices)
    source = models.TextField(_("source"))
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True, help_text=_("The date the facts were current."))
    verify_at = models.CharField(
        _("verify at"), max_length=300, blank=True, help_text=_("Where to check the set before relying on it.")
    )
    files = models.CharField(_("data files"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256 of the files"), max_length=64, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    loaded_at = models.DateTimeField(_("loaded"), null=True, blank=True)
    edited_in_admin = models.BooleanField(
        _("edited in the admin"), default=False, help_text=_("The loader leaves rows changed in the admin alone.")
    )

    class Meta:
        verbose_name = _("reference data set")
        verbose_name_plural = _("reference data sets")
        ordering = ["key"]

    def __str__(self) -> str:
        return str(self.title)

    @property
    def title(self) -> str | Promise:
        return DataSetKey(self.key).label if self.key in DataSetKey.values else self.key


class ReferenceRow(models.Model):
    """Base of the rows the loader keeps in step with the data files."""

    edited_in_admin = models.BooleanField(
        _("edited in the admin"), default=False, help_text=_("The loader leaves rows changed in the admin alone.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Country(ReferenceRow):
    """An ISO 3166-1 country, with its names in English and Spanish."""

    alpha2 = models.CharField(_("alpha-2 code"), max_length=2, unique=True)
    alpha3 = models.CharField(_("alpha-3 code"), max_length=3, unique=True)
    numeric = models.CharField(_("numeric code"), max_length=3, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    official_name_en = models.CharField(_("official name (English)"), max_length=300, blank=True)
    in_lac = models.BooleanField(
        _("Latin America and the Caribbean"),
        default=False,
        help_text=_("One of the 33 states of Latin America and the Caribbean."),
    )

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return f"{self.alpha2} · {self.name}"

    @property
    def name(self) -> str:
        return (self.name_es or self.name_en) if _spanish() else self.name_en


class CategoryKind(models.TextChoices):
    REGISTER = "register", _("UN Register category")
    SALW = "salw", _("Small arms and light weapons")
    SALW_LINE = "salw_line", _("Small arms and light weapons line")
    NATIONAL = "national", _("National-record class")


class SalwGroup(models.TextChoices):
    NONE = "", _("None")
    SMALL_ARMS = "small_arms", _("Small arms")
    LIGHT_WEAPONS = "light_weapons", _("Light weapons")


class Category(ReferenceRow):
    """A UN Register category (I-VII), a small-arms or light-weapons line of VIII, or Art. 3 / Art. 4."""

    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        help_text=_("I to VII, VII(a), VII(b), VIII, VIII-SA-1, VIII-LW-6, ART3, ART4."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CategoryKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children", verbose_name=_("part of")
    )
    group = models.CharField(_("group"), max_length=16, blank=True, choices=SalwGroup.choices)
    line = models.PositiveSmallIntegerField(_("line"), null=True, blank=True)
    att_article = models.CharField(_("treaty article"), max_length=16, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    note_es = models.TextField(_("note (Spanish)"), blank=True)
    source = models.TextField(_("source"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def name(self) -> str:
        return (self.name_es or self.name_en) if _spanish() else self.name_en

    @property
    def description(self) -> str:
        return (self.description_es or self.description_en) if _spanish() else self.description_en

    @property
    def note(self) -> str:
        return (self.note_es or self.note_en) if _spanish() else self.note_en

    @property
    def needs_verification(self) -> bool:
        return "(verif" in self.note_en


class HsCode(ReferenceRow):
    """A chapter, heading or subheading of the Harmonized System 2022."""

    code = models.CharField(_("code"), max_length=6, unique=True, help_text=_("Digits only: 93, 9301, 930110."))
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("2 chapter, 4 heading, 6 subheading."))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children", verbose_name=_("parent")
    )
    section = models.CharField(_("section"), max_length=8, blank=True)
    description_en = models.TextField(_("description (English)"))
    description_es = models.TextField(_("description (Spanish)"), blank=True)

    class Meta:
        verbose_name = _("HS code")
        verbose_name_plural = _("HS codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.dotted

    @property
    def dotted(self) -> str:
        return datafiles.dotted(self.code)

    @property
    def description(self) -> str:
        return (self.description_es or self.description_en) if _spanish() else self.description_en

    @property
    def description_lang(self) -> str:
        return "es" if _spanish() and self.description_es else "en"


class CrosswalkScope(models.TextChoices):
    ATT = "att", _("Linked to a category")
    NATIONAL_DEFINITION = "national_definition", _("Depends on the national definition")
    OUTSIDE_ATT = "outside_att", _("Outside the Arms Trade Treaty")


class CrosswalkLink(ReferenceRow):
    """One link of the many-to-many crosswalk from an HS code to a category, or a scope statement."""

    hs_code = models.ForeignKey(HsCode, on_delete=models.CASCADE, related_name="links", verbose_name=_("HS code"))
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="hs_links",
        verbose_name=_("category"),
        help_text=_("Blank when the row says the code depends on the national definition or is outside the treaty."),
    )
    scope = models.CharField(_("scope"), max_length=24, choices=CrosswalkScope.choices, default=CrosswalkScope.ATT)
    note_en = models.TextField(_("note (English)"))
    note_es = models.TextField(_("note (Spanish)"))
    source = models.TextField(_("source"))

    class Meta:
        verbose_name = _("crosswalk link")
        verbose_name_plural = _("crosswalk links")
        ordering = ["hs_code__code", "category__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["hs_code", "category"], name="reference_crosswalk_unique_link"),
            models.UniqueConstraint(
                fields=["hs_code"], condition=models.Q(category__isnull=True), name="reference_crosswalk_one_scope_row"
            ),
        ]

    def __str__(self) -> str:
        target = self.category.code if self.category_id and self.category else self.get_scope_display()
        return f"{self.hs_code_id and self.hs_code.dotted} -> {target}"

    @property
    def note(self) -> str:
        return (self.note_es or self.note_en) if _spanish() else self.note_en


class EmbargoScope(models.TextChoices):
    FULL = "full", _("Full")
    PARTIAL = "partial", _("Partial")
    NON_STATE_ACTORS = "non_state_actors", _("Non-state actors")
    LISTED_ONLY = "listed_only", _("Listed persons and entities only")


class ImposedBy(models.TextChoices):
    UN = "UN", _("UN Security Council")
    EU = "EU", _("European Union")


class Embargo(ReferenceRow):
    """An arms embargo regime, as the data files describe it, with a source per row."""

    key = models.SlugField(_("key"), max_length=40, unique=True, help_text=_("un-kp, un-res-1988, eu-ve."))
    imposed_by = models.CharField(_("imposed by"), max_length=4, choices=ImposedBy.choices)
    target = models.TextField(_("target"))
    target_iso2 = models.CharField(
        _("country code"), max_length=2, blank=True, db_index=True, help_text=_("Blank for a regime with no territory.")
    )
    scope = models.CharField(_("scope"), max_length=20, choices=EmbargoScope.choices)
    exports_banned = models.BooleanField(_("exports from the target banned too"), default=False)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    establishing_resolution = models.TextField(_("establishing resolution"), blank=True)
    latest_resolutions = models.TextField(_("latest resolutions"), blank=True)
    committee = models.TextField(_("committee"), blank=True)
    expires = models.TextField(_("expiry"), blank=True)
    status_as_of = models.CharField(_("status as of"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.TextField(_("source"))
    verified = models.BooleanField(
        _("verified"),
        default=True,
        help_text=_("Off while any fact of the row is marked as from memory or unverified."),
    )
    unverified_fields = models.CharField(_("fields marked unverified"), max_length=200, blank=True)
    active = models.BooleanField(_("in force"), default=True)

    class Meta:
        verbose_name = _("arms embargo")
        verbose_name_plural = _("arms embargoes")
        ordering = ["imposed_by", "target_iso2", "key"]

    def __str__(self) -> str:
        return f"{self.imposed_by} · {self.target_iso2 or '—'} · {self.reference or self.key}"

    @property
    def imposed_by_short(self) -> str | Promise:
        return (
            _("UN")
            if self.imposed_by == ImposedBy.UN
            else _("EU")
            if self.imposed_by == ImposedBy.EU
            else self.imposed_by
        )

    @property
    def is_un(self) -> bool:
        return self.imposed_by == ImposedBy.UN

    @property
    def sources(self) -> list[str]:
        return [s.strip() for s in self.source.split(" ; ") if s.strip()]

    @property
    def unverified_field_labels(self) -> list[str]:
        labels = []
        for name in filter(None, (f.strip() for f in self.unverified_fields.split(","))):
            try:
                field = self._meta.get_field(name)
            except FieldDoesNotExist:  # a field renamed since the row was loaded: show its name
                labels.append(name)
                continue
            labels.append(str(field.verbose_name) if isinstance(field, models.Field) else name)
        return labels
