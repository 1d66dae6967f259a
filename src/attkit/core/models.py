"""Tenancy (Authority and authority-scoped querysets) and the append-only audit log."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from attkit.accounts.models import User


class Authority(models.Model):
    """A state's competent national authority: the tenant that owns every record of its work."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(
        _("code"), max_length=8, unique=True, help_text=_("ISO 3166-1 alpha-2 code of the state, e.g. MX.")
    )
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 country code."))
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    is_sandbox = models.BooleanField(
        _("training sandbox"),
        default=False,
        help_text=_("A sandbox authority holds training cases, never real records."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def name(self) -> str:
        return self.name_es if (get_language() or "en").startswith("es") else self.name_en


class TenantQuerySet(models.QuerySet[Any]):
    """The only door to a state's records: `for_user` filters by the user's authority."""

    authority_field: ClassVar[str] = "authority"

    def for_authority(self, authority: Authority | uuid.UUID | None) -> Self:
        if authority is None:
            return self.none()
        return self.filter(**{self.authority_field: authority})

    def for_user(self, user: User | Any) -> Self:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        authority_id = getattr(user, "authority_id", None)
        if authority_id is None:
            return self.none()
        return self.filter(**{f"{self.authority_field}_id": authority_id})


class TenantManager(models.Manager[Any]):
    def get_queryset(self) -> TenantQuerySet:
        return TenantQuerySet(self.model, using=self._db)

    def for_user(self, user: User | Any) -> TenantQuerySet:
        return self.get_queryset().for_user(user)

    def for_authority(self, authority: Authority | uuid.UUID | None) -> TenantQuerySet:
        return self.get_queryset().for_authority(authority)


class AuthorityOwned(models.Model):
    """Base for every record of a state's work: it belongs to one authority."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", verbose_name=_("authority"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = TenantManager()

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionDenied("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("Audit events are append-only.")

    def for_user(self, user: User | Any) -> AuditEventQuerySet:
        authority_id = getattr(user, "authority_id", None)
        if authority_id is None:
            return self.none()
        return self.filter(authority_id=authority_id)


class AuditEvent(models.Model):
    """One state change, hash-chained to the previous event of the same chain (one chain per authority)."""

    id = models.BigAutoField(primary_key=True)
    chain = models.CharField(_("chain"), max_length=16, db_index=True)
    seq = models.PositiveBigIntegerField(_("sequence"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("actor")
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("authority")
    )
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, db_index=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionDenied("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("Audit events are append-only.")
