"""Users who belong to one authority and agency, their roles, applicant organisations and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from attkit.core.models import Authority, AuthorityOwned, TenantManager
from attkit.core.permissions import ROLE_LABELS, Permission, Role, permissions_for


class AgencyKind(models.TextChoices):
    FOREIGN_AFFAIRS = "foreign_affairs", _("Foreign Affairs")
    DEFENCE = "defence", _("Defence")
    NAVY = "navy", _("Navy")
    INTERIOR = "interior", _("Interior")
    ECONOMY = "economy", _("Economy")
    ATTORNEY_GENERAL = "attorney_general", _("Attorney General")
    POLICE = "police", _("Police")
    CUSTOMS = "customs", _("Customs")
    LICENSING = "licensing", _("Licensing authority")
    TRAINING = "training", _("Training centre")
    OTHER = "other", _("Other")


class Agency(AuthorityOwned):
    """An agency of a state that takes part in transfer decisions (Foreign Affairs, Defence, Customs...)."""

    kind = models.CharField(_("kind"), max_length=32, choices=AgencyKind.choices)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["authority__code", "name_en"]
        constraints = [models.UniqueConstraint(fields=["authority", "name_en"], name="agency_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_es if (get_language() or "en").startswith("es") else self.name_en


class OrganisationKind(models.TextChoices):
    EXPORTER = "exporter", _("Exporter")
    IMPORTER = "importer", _("Importer")
    EXPORTER_IMPORTER = "exporter_importer", _("Exporter and importer")
    BROKER = "broker", _("Broker")
    CARRIER = "carrier", _("Carrier or freight forwarder")
    GOVERNMENT = "government", _("Government end user")


class Organisation(AuthorityOwned):
    """A company or body registered with the authority: it applies for licences through its users."""

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2)
    address = models.TextField(_("address"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AttkitUserManager(UserManager["User"]):
    def for_user(self, user: Any) -> models.QuerySet[User]:
        authority_id = getattr(user, "authority_id", None)
        if authority_id is None:
            return self.none()
        return self.filter(authority_id=authority_id)


class User(AbstractUser):
    """An official, applicant, instructor or trainee; belongs to one authority (and agency or organisation)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("authority")
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("agency")
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("organisation"),
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="es")
    is_system = models.BooleanField(
        _("system account"), default=False, help_text=_("Acts for integrations and the command line; cannot log in.")
    )

    objects = AttkitUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def clean(self) -> None:
        super().clean()
        if self.agency_id and self.agency and self.agency.authority_id != self.authority_id:
            raise ValidationError({"agency": _("The agency must belong to the user's authority.")})
        if self.organisation_id and self.organisation and self.organisation.authority_id != self.authority_id:
            raise ValidationError({"organisation": _("The organisation must belong to the user's authority.")})

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    _roles_cache: frozenset[Role] | None = None
    _token_role: Role | None = None

    def roles(self) -> frozenset[Role]:
        cached = self._roles_cache
        if cached is None:
            if self.pk is None:
                cached = frozenset()
            else:
                cached = frozenset(Role(r) for r in self.role_grants.values_list("role", flat=True))
            self._roles_cache = cached
        if self._token_role is not None:
            return frozenset({self._token_role}) & cached
        return cached

    def has_role(self, role: Role) -> bool:
        return role in self.roles()

    def effective_permissions(self) -> frozenset[Permission]:
        if self.authority_id is None or self.authority is None:
            return frozenset()
        return permissions_for(self.roles(), sandbox=self.authority.is_sandbox)

    @property
    def is_official(self) -> bool:
        return any(role.is_official for role in self.roles())

    def needs_two_factor(self) -> bool:
        return bool(settings.REQUIRE_2FA) and (self.is_official or self.is_staff or self.is_superuser)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=[(r.value, ROLE_LABELS[r]) for r in Role])
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {Role(self.role).label}"


class TokenStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ApiToken(models.Model):
    """A machine client's credential: acts as one user, in one authority and one role, until it expires."""

    PREFIX = "atk"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", verbose_name=_("authority"))
    role = models.CharField(_("role"), max_length=32, choices=[(r.value, ROLE_LABELS[r]) for r in Role])
    name = models.CharField(_("name"), max_length=100)
    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    digest = models.CharField(_("digest"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8")).hexdigest()

    @classmethod
    def new_secret(cls) -> tuple[str, str, str]:
        """Return (token text shown once, key id, digest stored)."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        return f"{cls.PREFIX}_{key_id}_{secret}", key_id, cls.digest_of(secret)

    @classmethod
    def default_expiry(cls) -> Any:
        return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.digest, self.digest_of(secret))

    @property
    def status(self) -> TokenStatus:
        if self.revoked_at is not None:
            return TokenStatus.REVOKED
        if self.expires_at <= timezone.now():
            return TokenStatus.EXPIRED
        return TokenStatus.ACTIVE
