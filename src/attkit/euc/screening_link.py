"""EUC parties in the screening workflow: screened when added, re-screened while the certificate is valid."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.db import DatabaseError, connection, transaction

from attkit.euc.models import EucParty, EucStatus

SUBJECT_TYPE = "euc.eucparty"
logger = logging.getLogger(__name__)


def subject_for(party: EucParty) -> object:
    from attkit.screening.services import Subject

    label = f"{party.certificate} · {party.get_role_display()} · {party.name}"
    return Subject(
        authority=party.authority,
        subject_type=SUBJECT_TYPE,
        subject_id=str(party.pk),
        label=label,
        name=party.name,
        country=party.country or "",
        schema="",  # a party may be a person or an organisation: the matcher compares against both
    )


def screen_after_commit(party: EucParty) -> None:
    """Screen the party once its transaction has committed (no list work inside the issuing transaction)."""

    def run() -> None:
        from attkit.screening.services import screen_subject

        try:
            fresh = EucParty.objects.select_related("certificate", "authority").filter(pk=party.pk).first()
            if fresh is not None:
                screen_subject(subject_for(fresh))  # type: ignore[arg-type]
        except DatabaseError:
            # The certificate has committed: a lost connection here must not report it as not issued (a
            # retry would be refused). The party is screened again by `attkit screening rescreen` or the
            # next list change; the dead connection is dropped so the rest of the request can answer.
            logger.exception("screening of EUC party %s after commit failed; run `attkit screening rescreen`", party.pk)
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()

    transaction.on_commit(run)


def valid_certificate_parties() -> Iterator[object]:
    """Parties of every certificate still in force, for re-screening when a list changes."""
    live = (EucStatus.ISSUED, EucStatus.PARTIALLY_USED)
    parties = EucParty.objects.filter(certificate__status__in=live).select_related("certificate", "authority")
    for party in parties.iterator(chunk_size=500):
        yield subject_for(party)
