"""Every free-text model field, classed as written by people (probed for XSS) or not (with the reason).

A new CharField or TextField fails tests/hardening/test_probes_xss.py::test_every_free_text_field_is_classified
until it is added here, so no field a user can write escapes the probes.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

# Fields people write (forms, API bodies, imported files, lists and trust lists from outside, the admin).
WRITTEN = {
    "core.Authority": ("name_en", "name_es"),
    "accounts.Agency": ("name_en", "name_es"),
    "accounts.Organisation": ("name", "registration_number", "address"),
    "accounts.User": ("first_name", "last_name", "job_title", "email"),
    "accounts.ApiToken": ("name",),
    "reference.DataSet": ("source", "licence", "verify_at"),
    "reference.Country": ("name_en", "name_es", "official_name_en"),
    "reference.Category": ("name_en", "name_es", "description_en", "description_es", "note_en", "note_es", "source"),
    "reference.HsCode": ("description_en", "description_es"),
    "reference.CrosswalkLink": ("note_en", "note_es", "source"),
    "reference.Embargo": (
        "target",
        "reference",
        "establishing_resolution",
        "latest_resolutions",
        "committee",
        "expires",
        "status_as_of",
        "notes",
        "source",
    ),
    "seals.SignerCertificate": ("subject", "revocation_reason"),
    "seals.RevokedSerial": ("reason",),
    "seals.ImportedTrustList": ("issuer_name",),
    "euc.EndUserCertificate": (
        "official_name",
        "official_title",
        "certification_text",
        "end_use",
        "contract_number",
        "amendment_reason",
        "revocation_reason",
    ),
    "euc.EucParty": ("name", "business_name", "position", "address"),
    "euc.EucGoodsLine": ("description", "model", "calibre", "national_category"),
    "euc.EucUse": ("exporter", "licence_reference", "recorded_by_label"),
    "euc.DeliveryVerification": ("checked_by", "discrepancies"),
    "screening.ListVersion": ("name", "source", "version"),
    "screening.ListedEntry": ("ref", "primary_name"),
    "screening.ScreeningRun": ("subject_label", "name", "dob"),
    "screening.ScreeningHit": ("entry_ref", "entry_name", "matched_name", "explanation", "reason"),
    "screening.HitDecision": ("entry_ref", "reason"),
    "licensing.Case": ("end_use", "euc_serial", "euc_seal_text"),  # the seal text is pasted by the applicant
    "licensing.Party": ("name", "address"),
    "licensing.GoodsLine": ("description", "national_code"),
    "licensing.CaseDocument": ("original_name",),
    "licensing.CaseEvent": ("actor_label", "reason"),
    "licensing.CaseFlag": ("resolution_reason",),
    "licensing.ScreeningHit": ("list_name", "entry_ref", "listed_name", "matched_name", "external_id", "review_reason"),
    "licensing.RoutingRule": ("note",),
    "licensing.Advice": ("conditions", "reasons"),
    "licensing.Decision": ("reasons", "conditions", "countersign_reason"),
    "licensing.Shipment": ("declaration_number", "notes"),
    "licensing.DenialNotice": ("end_user_name", "goods_summary"),
    "assessment.Assessment": ("summary",),
    "assessment.Answer": ("evidence", "source_notes"),
    "assessment.Mitigation": ("description",),
    "reporting.TransferRecord": (
        "model_type",
        "description",
        "intermediate_location",
        "end_user",
        "licence_reference",
        "euc_serial",
        "comments",
        "source_id",
        "correction_reason",
        "recorded_by_label",
    ),
    "reporting.RecordImport": ("filename", "imported_by_label"),
    "reporting.PendingImport": ("filename",),
    "reporting.NationalDefinitions": ("text", "updated_by_label"),
    "reporting.ReportSubmission": ("note", "recorded_by_label"),
    "reporting.CustomsDeclaration": ("number", "licence_reference"),
    "training.Cohort": ("name",),
    "training.SimulationRun": ("reasons",),
    "training.SimulationComment": ("text",),
    "training.Certificate": ("trainee_name", "cohort_name", "revocation_reason"),
    "treaty.StateStatus": ("name_en", "as_of", "notes", "source", "initial_report_source"),
    "treaty.AnnualReport": ("source",),
}

# Fields nobody types free text into, and why.
GENERATED = {
    # codes checked against a list or a pattern by the service that writes them
    "core.Authority": ("code", "country"),
    "accounts.Organisation": ("country",),
    "accounts.User": ("username", "password"),  # username: Django's validator (letters, digits, @.+-_); a hash
    "reference.Country": ("alpha2", "alpha3", "numeric"),
    "reference.Category": ("code", "att_article"),
    "reference.HsCode": ("code", "section"),
    "reference.Embargo": ("key", "target_iso2", "unverified_fields"),  # key: a slug in URLs
    "reference.DataSet": ("files", "sha256"),
    "euc.EndUserCertificate": ("model_version", "final_destination_country", "drafted_via"),
    "euc.EucParty": ("country",),
    "euc.EucGoodsLine": ("un_category", "salw_line", "hs_code", "currency"),
    "euc.EucUse": ("exporting_state",),
    "screening.ListedEntry": ("schema",),
    "screening.ScreeningRun": ("subject_type", "subject_id", "country", "schema"),
    "licensing.Case": ("origin_country", "destination_country", "euc_verdict"),
    "licensing.Party": ("country",),
    "licensing.GoodsLine": ("salw_line", "hs_code", "unit", "currency"),
    "licensing.TransitStop": ("country",),
    "licensing.CaseDocument": ("media_type",),  # sniffed from the content
    "licensing.CaseEvent": ("event", "old_state", "new_state", "role", "outcome"),
    "licensing.CaseFlag": ("code", "severity"),
    "licensing.RoutingRule": ("destination",),
    "licensing.ShipmentLine": ("hs_code", "currency"),
    "licensing.DenialNotice": ("number", "end_user_country", "destination_country"),
    "assessment.Answer": ("question", "value"),
    "assessment.Mitigation": ("measure",),
    "reporting.TransferRecord": (
        "reference",
        "currency",
        "category",
        "hs_code",
        "exporting_state",
        "importing_state",
        "state_of_origin",
        "partner_state",
    ),
    "reporting.PendingImport": ("encoding",),
    "reporting.CustomsDeclaration": ("hs_code", "currency"),
    "training.LessonProgress": ("module_id", "lesson_id"),
    "training.QuizAttempt": ("module_id",),
    "training.Cohort": ("country",),
    "training.SimulationRun": ("case_id", "decision"),
    "treaty.StateStatus": ("iso2",),
    # serials, references, digests, keys and seals made by the system
    "core.AuditEvent": (
        "chain",
        "actor_label",  # append-only (a trigger refuses updates): probed by a real audit.record instead
        "kind",
        "target_type",
        "target_id",
        "target_label",
        "prev_hash",
        "hash",
    ),
    "accounts.ApiToken": ("key_id", "digest"),
    "seals.SigningKey": ("kek_id", "path"),
    "seals.SignerCertificate": ("kid", "fingerprint"),
    "seals.RevokedSerial": ("serial",),
    "seals.ImportedTrustList": ("issuer_code", "root_fingerprint"),
    "euc.SerialCounter": ("kind",),
    "euc.EndUserCertificate#": ("serial", "seal_text", "document_hash"),
    "euc.EucUse#": ("serial",),
    "euc.DeliveryVerification": ("serial", "seal_text", "document_hash"),
    "screening.ListVersion": ("sha256",),
    "screening.ListedEntry#": ("content_hash",),
    "screening.ScreeningRun#": ("fingerprint",),
    "screening.ScreeningHit": ("entry_hash",),
    "screening.HitDecision": ("fingerprint", "entry_hash"),
    "licensing.ReferenceCounter": ("kind",),
    "licensing.Case#": ("reference", "licence_seal", "refusal_seal"),
    "licensing.CaseDocument#": ("sha256",),
    "reporting.RecordImport": ("sha256",),
    "training.Certificate": ("number", "seal_text"),
}


def free_text_fields() -> set[str]:
    """'app.Model.field' of every CharField and TextField without choices of attkit's own models."""
    out = set()
    for model in apps.get_models():
        if not model.__module__.startswith("attkit.") or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
                out.add(f"{model._meta.label}.{field.name}")
    return out


def _flatten(table: dict[str, tuple[str, ...]]) -> set[str]:
    return {f"{label.rstrip('#')}.{name}" for label, names in table.items() for name in names}


def written() -> set[str]:
    return _flatten(WRITTEN)


def generated() -> set[str]:
    return _flatten(GENERATED)
