"""An EUC from draft to delivery verification through the command line alone."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from attkit.core.permissions import Role
from attkit.euc.models import EndUserCertificate, EucStatus

pytestmark = pytest.mark.django_db


def test_issue_use_and_deliver_through_the_cli(tmp_path, capsys, make_user):
    from attkit.seals import services as seals

    mx_issuer = make_user("MX", Role.EUC_ISSUER, username="mx.cli.issuer")
    de_verifier = make_user("DE", Role.EUC_VERIFIER, username="de.cli.verifier")
    for authority in (mx_issuer.authority, de_verifier.authority):
        seals.ensure_authority_keys(authority)
    out = tmp_path / "out"
    call_command(
        "euc",
        "issue",
        "--from",
        "examples/euc-request.json",
        "--authority",
        "MX",
        "--out",
        str(out),
        "--as",
        "mx.cli.issuer",
    )
    serial = re.search(r"MX-EUC-\d{4}-\d{6}-\d{2}", capsys.readouterr().out).group(0)
    pdf = out / f"{serial}.pdf"
    assert pdf.is_file()
    euc = EndUserCertificate.objects.get(serial=serial)
    line = euc.goods.order_by("line_no").first()
    total = line.quantity

    # DE's officer records a use of half the first line, from the PDF
    call_command(
        "euc", "use", serial, "--seal", str(pdf), "--as", "de.cli.verifier",
        "--exporter", "Demo Wehrtechnik GmbH", "--licence", "DE-2026-1", "--quantity", f"{line.line_no}={total // 2}",
    )  # fmt: skip
    assert "status partially_used" in capsys.readouterr().out
    # more than is left is refused, and nothing is drawn
    with pytest.raises((CommandError, SystemExit)):
        call_command(
            "euc", "use", serial, "--seal", euc.seal_text, "--as", "de.cli.verifier",
            "--exporter", "Demo Wehrtechnik GmbH", "--licence", "DE-2026-2", "--quantity", f"{line.line_no}={total}",
        )  # fmt: skip
    # MX records the delivery: a sealed DVC, and the certificate closes
    call_command(
        "euc", "deliver", serial, "--as", "mx.cli.issuer", "--date", timezone.localdate().isoformat(), "--checked-by", "Insp. R. Díaz",
        "--quantity", f"{line.line_no}={total // 2}", "--discrepancies", "Second half not shipped (export cancelled).",
    )  # fmt: skip
    assert "delivery verified: MX-DVC-" in capsys.readouterr().out
    euc.refresh_from_db()
    assert euc.status == EucStatus.CLOSED
    with pytest.raises(SystemExit):
        call_command("euc", "verify", str(pdf), "--json")
    assert json.loads(capsys.readouterr().out)["verdict"] != "valid"
