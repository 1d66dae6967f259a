"""Demo records: three full years of fictional but plausible transfers of Mexico and Germany, an annex,
submissions, one correction and a batch of customs declarations to reconcile. Harmless to run twice."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from attkit.core.models import Authority
from attkit.reporting import services
from attkit.reporting.models import (
    Basis,
    CustomsDeclaration,
    Direction,
    ImportKind,
    NationalDefinitions,
    RecordImport,
    RecordSource,
    ReportKind,
    ReportSubmission,
    TransferRecord,
)

# direction, category, partner, model, description, end user, end-user type, (low, high) units, unit price, currency
MX_LINES: list[tuple[str, str, str, str, str, str, str, tuple[int, int], int, str]] = [
    (
        "import",
        "VIII.SA.1",
        "US",
        "P-9 (fictional)",
        "9 mm self-loading pistol",
        "Secretaría de la Defensa Nacional",
        "armed_forces",
        (400, 1500),
        520,
        "USD",
    ),
    (
        "import",
        "VIII.SA.1",
        "AT",
        "G-17 service pistol (fictional)",
        "9 mm self-loading pistol",
        "Guardia Nacional",
        "law_enforcement",
        (200, 900),
        560,
        "USD",
    ),
    (
        "import",
        "VIII.SA.2",
        "US",
        "R-308 (fictional)",
        "7.62 mm bolt-action rifle",
        "Secretaría de Marina",
        "armed_forces",
        (20, 120),
        1900,
        "USD",
    ),
    (
        "import",
        "VIII.SA.3",
        "DE",
        "MP-9 (fictional)",
        "9 mm sub-machine gun",
        "Secretaría de Marina",
        "armed_forces",
        (50, 300),
        2300,
        "EUR",
    ),
    (
        "import",
        "VIII.SA.4",
        "BE",
        "AR-556 (fictional)",
        "5.56 mm assault rifle",
        "Secretaría de la Defensa Nacional",
        "armed_forces",
        (300, 1200),
        1400,
        "USD",
    ),
    (
        "import",
        "VIII.LW.1",
        "BE",
        "HMG-50 (fictional)",
        "12.7 mm heavy machine gun",
        "Secretaría de Marina",
        "armed_forces",
        (5, 40),
        14000,
        "USD",
    ),
    (
        "import",
        "VIII.LW.2",
        "US",
        "GL-40 (fictional)",
        "40 mm under-barrel grenade launcher",
        "Secretaría de la Defensa Nacional",
        "armed_forces",
        (20, 150),
        2600,
        "USD",
    ),
    (
        "import",
        "VIII.LW.6",
        "ES",
        "M-60 (fictional)",
        "60 mm commando mortar",
        "Secretaría de la Defensa Nacional",
        "armed_forces",
        (6, 30),
        9000,
        "EUR",
    ),
    (
        "import",
        "II",
        "US",
        "APC-4x4 (fictional)",
        "Wheeled armoured personnel carrier",
        "Secretaría de la Defensa Nacional",
        "armed_forces",
        (4, 20),
        450000,
        "USD",
    ),
    (
        "import",
        "ART3",
        "BR",
        "9x19 mm FMJ",
        "Pistol ammunition (rounds)",
        "Secretaría de la Defensa Nacional",
        "armed_forces",
        (200000, 900000),
        0,
        "USD",
    ),
    (
        "import",
        "ART4",
        "US",
        "Spare barrels and bolts",
        "Parts for 5.56 mm rifles",
        "Secretaría de la Defensa Nacional",
        "armed_forces",
        (100, 800),
        150,
        "USD",
    ),
    (
        "export",
        "VIII.SA.4",
        "GT",
        "FX-556 (fictional)",
        "5.56 mm assault rifle made in Mexico",
        "Ejército de Guatemala",
        "armed_forces",
        (50, 300),
        1300,
        "USD",
    ),
    (
        "export",
        "VIII.SA.1",
        "HN",
        "P-9 (fictional)",
        "9 mm self-loading pistol (re-export)",
        "Policía Nacional",
        "law_enforcement",
        (20, 150),
        600,
        "USD",
    ),
    (
        "export",
        "ART3",
        "SV",
        "5.56x45 mm ball",
        "Rifle ammunition (rounds)",
        "Fuerza Armada de El Salvador",
        "armed_forces",
        (50000, 200000),
        0,
        "USD",
    ),
]

DE_LINES: list[tuple[str, str, str, str, str, str, str, tuple[int, int], int, str]] = [
    (
        "export",
        "I",
        "HU",
        "MBT-A7 (fictional)",
        "Main battle tank",
        "Hungarian Defence Forces",
        "armed_forces",
        (2, 12),
        9000000,
        "EUR",
    ),
    (
        "export",
        "II",
        "LT",
        "IFV-B (fictional)",
        "Tracked infantry fighting vehicle",
        "Lithuanian Armed Forces",
        "armed_forces",
        (4, 20),
        4500000,
        "EUR",
    ),
    (
        "export",
        "II",
        "NL",
        "APC-8 (fictional)",
        "Wheeled armoured personnel carrier",
        "Royal Netherlands Army",
        "armed_forces",
        (6, 30),
        3200000,
        "EUR",
    ),
    (
        "export",
        "III",
        "IT",
        "SPH-155 (fictional)",
        "155 mm self-propelled howitzer",
        "Esercito Italiano",
        "armed_forces",
        (2, 8),
        11000000,
        "EUR",
    ),
    (
        "export",
        "VI",
        "EG",
        "Frigate F-1 (fictional)",
        "Frigate, 3,500 t",
        "Egyptian Navy",
        "armed_forces",
        (1, 1),
        500000000,
        "EUR",
    ),
    (
        "export",
        "VII(a)",
        "KR",
        "ALM-2 (fictional)",
        "Air-launched cruise missile",
        "Republic of Korea Air Force",
        "armed_forces",
        (10, 60),
        1000000,
        "EUR",
    ),
    (
        "export",
        "VIII.SA.3",
        "MX",
        "MP-9 (fictional)",
        "9 mm sub-machine gun",
        "Secretaría de Marina",
        "armed_forces",
        (50, 300),
        2300,
        "EUR",
    ),
    (
        "export",
        "VIII.SA.4",
        "FR",
        "G-36X (fictional)",
        "5.56 mm assault rifle",
        "Armée de Terre",
        "armed_forces",
        (500, 3000),
        1600,
        "EUR",
    ),
    (
        "export",
        "VIII.SA.4",
        "NO",
        "G-36X (fictional)",
        "5.56 mm assault rifle",
        "Norwegian Armed Forces",
        "armed_forces",
        (200, 1000),
        1600,
        "EUR",
    ),
    (
        "export",
        "VIII.SA.1",
        "US",
        "P-30 (fictional)",
        "9 mm self-loading pistol",
        "Commercial distributor",
        "private_company",
        (1000, 6000),
        480,
        "EUR",
    ),
    (
        "export",
        "VIII.LW.5",
        "LT",
        "ATW-90 (fictional)",
        "Portable anti-tank rocket system",
        "Lithuanian Armed Forces",
        "armed_forces",
        (50, 400),
        30000,
        "EUR",
    ),
    (
        "export",
        "ART4",
        "NL",
        "Track assemblies",
        "Parts for armoured vehicles",
        "Royal Netherlands Army",
        "armed_forces",
        (20, 120),
        18000,
        "EUR",
    ),
    (
        "import",
        "VIII.SA.1",
        "AT",
        "G-17 service pistol (fictional)",
        "9 mm self-loading pistol",
        "Bundespolizei",
        "law_enforcement",
        (300, 2000),
        560,
        "EUR",
    ),
    (
        "import",
        "IV",
        "US",
        "Multirole fighter (fictional)",
        "Combat aircraft",
        "Luftwaffe",
        "armed_forces",
        (1, 4),
        90000000,
        "EUR",
    ),
    (
        "import",
        "VIII.LW.1",
        "BE",
        "HMG-50 (fictional)",
        "12.7 mm heavy machine gun",
        "Bundeswehr",
        "armed_forces",
        (20, 120),
        14000,
        "EUR",
    ),
]

TRANSIT = {"GT": [], "HN": ["GT"], "SV": ["GT"], "BR": ["PA"], "KR": [], "EG": []}

DEFINITIONS = {
    "MX": (
        "Categorías I a VII: se aplican las definiciones del Registro de Armas Convencionales de las Naciones Unidas "
        "vigentes a la entrada en vigor del Tratado.\n"
        "Categoría VIII (armas pequeñas y armas ligeras): la lista nacional de control comprende además las armas "
        "de uso exclusivo de las Fuerzas Armadas según la Ley Federal de Armas de Fuego y Explosivos (texto de "
        "demostración, ficticio).\n"
        "Municiones (art. 3) y partes y componentes (art. 4) se registran pero no se informan en este formulario."
    ),
    "DE": (
        "Categories I-VII: the UN Register definitions as at the Treaty's entry into force, as taken up in the "
        "national War Weapons List (demonstration text, fictional).\n"
        "Category VIII: small arms and light weapons as in the UN Register's voluntary form; sporting and hunting "
        "firearms are not included."
    ),
}


def _years() -> list[int]:
    last = timezone.localdate().year - 1
    return [last - 2, last - 1, last]


def _records_for(code: str, lines: list[Any], years: list[int], quick: bool) -> list[dict[str, Any]]:
    rng = random.Random(f"attkit-demo-{code}")  # noqa: S311  (demo data, not security)
    out: list[dict[str, Any]] = []
    n = 0
    for year in years:
        for direction, category, partner, model, description, end_user, eu_type, (lo, hi), price, currency in lines:
            if rng.random() < (0.5 if quick else 0.15):
                continue  # not every line trades every year
            licences = 1 if quick else rng.randint(1, 3)
            for _ in range(licences):
                n += 1
                authorised = rng.randint(lo, hi)
                month = rng.randint(1, 11)
                licence = f"{code}-{'EXP' if direction == 'export' else 'IMP'}-{year}-{n:04d}"
                base: dict[str, Any] = {
                    "direction": direction,
                    "category": category,
                    "model_type": model,
                    "description": description,
                    "end_user": end_user,
                    "end_user_type": eu_type,
                    "licence_reference": licence,
                    "hs_code": _hs(category),
                    "currency": currency if price else "",
                    "exporting_state": code if direction == "export" else partner,
                    "importing_state": partner if direction == "export" else code,
                    "transit_states": TRANSIT.get(partner, []) if code == "MX" else [],
                }
                when = dt.date(year, month, rng.randint(1, 28))
                out.append(
                    {
                        **base,
                        "basis": Basis.AUTHORISED,
                        "date": when,
                        "quantity": authorised,
                        "value": Decimal(authorised * price) if price else None,
                        "source": RecordSource.LICENCE,
                        "source_id": f"demo-{licence}",
                    }
                )
                shipped = authorised if rng.random() < 0.6 else max(1, int(authorised * rng.uniform(0.3, 0.9)))
                ship_date = min(when + dt.timedelta(days=rng.randint(20, 120)), dt.date(year, 12, 31))
                comments = ""
                if rng.random() < 0.12:
                    comments = (
                        "Temporary export for trials; to return" if direction == "export" else "Return after repair"
                    )
                out.append(
                    {
                        **base,
                        "basis": Basis.ACTUAL,
                        "date": ship_date,
                        "quantity": shipped,
                        "value": Decimal(shipped * price) if price else None,
                        "comments": comments,
                        "source": RecordSource.SHIPMENT,
                        "source_id": f"demo-{licence}-1",
                    }
                )
    return out


def _hs(category: str) -> str:
    if category.startswith("VIII.SA.1"):
        return "9302"
    if category.startswith(("VIII.SA", "VIII.LW.1")):
        return "930190"
    if category.startswith("VIII.LW"):
        return "930120"
    return {
        "I": "871000",
        "II": "871000",
        "III": "930110",
        "IV": "880240",
        "VI": "890610",
        "VII(a)": "930690",
        "ART3": "930630",
        "ART4": "930599",
    }.get(category, "")


def load(ctx: Any, quick: bool = False) -> None:
    years = _years()
    for code, lines in (("MX", MX_LINES), ("DE", DE_LINES)):
        authority = Authority.objects.filter(code=code).first()
        if authority is None:
            continue
        if not TransferRecord.objects.for_authority(authority).filter(source_id__startswith="demo-").exists():
            with transaction.atomic():
                for data in _records_for(code, lines, years, quick):
                    services.record_transfer(authority=authority, by=None, **data)
                _correction(authority)
        if not NationalDefinitions.objects.for_authority(authority).exists():
            services.save_definitions(by=None, authority=authority, text=DEFINITIONS[code])
        _submissions(authority, years)
    mx = Authority.objects.filter(code="MX").first()
    if mx is not None and not CustomsDeclaration.objects.for_authority(mx).exists():
        _customs(mx, years[-1])
    ctx.notes.append(
        f"reporting: transfer records of MX and DE for {years[0]}-{years[-1]}; the MX report for {years[-1]} "
        "is not yet marked submitted (the dashboard reminds)."
    )


def _correction(authority: Authority) -> None:
    """One record corrected, so the history view has something to show."""
    record = (
        TransferRecord.objects.for_authority(authority)
        .current()
        .filter(basis=Basis.ACTUAL, direction=Direction.EXPORT if authority.code == "DE" else Direction.IMPORT)
        .order_by("reference")
        .first()
    )
    if record is None or record.quantity is None:
        return
    services.supersede_record(
        record.pk,
        by=None,
        authority=authority,
        reason="Customs confirmed one item fewer than the shipping notice (demo correction).",
        changes={"quantity": max(1, record.quantity - 1)},
    )


def _submissions(authority: Authority, years: list[int]) -> None:
    submitted = years[:-1] if authority.code == "MX" else years
    for year in submitted:
        if ReportSubmission.objects.for_authority(authority).filter(kind=ReportKind.ATT, year=year).exists():
            continue
        services.mark_submitted(
            by=None,
            authority=authority,
            kind=ReportKind.ATT,
            year=year,
            basis=Basis.AUTHORISED,
            submitted_on=dt.date(year + 1, 5, 20),
            note="Sent to the ATT Secretariat by e-mail (demo).",
        )


def _customs(authority: Authority, year: int) -> None:
    """A month of declarations at a port: most match a licence, a few do not."""
    imports = list(
        TransferRecord.objects.for_authority(authority)
        .current()
        .filter(basis=Basis.AUTHORISED, direction=Direction.IMPORT, year=year)
        .exclude(quantity__isnull=True)
        .order_by("reference")[:6]
    )
    rows = []
    for i, record in enumerate(imports, start=1):
        assert record.quantity is not None
        quantity = record.quantity + (25 if i == 2 else 0)  # the second goes above its licence
        rows.append(
            (
                f"MX-ADU-{year}-{i:05d}",
                record.date or dt.date(year, 6, 1),
                record.hs_code or "930190",
                quantity,
                record.licence_reference,
            )
        )
    rows.append((f"MX-ADU-{year}-{90:05d}", dt.date(year, 10, 3), "930200", 40, ""))  # no licence cited
    rows.append((f"MX-ADU-{year}-{91:05d}", dt.date(year, 10, 9), "930700", 15, "MX-IMP-0000-UNKNOWN"))
    with transaction.atomic():
        batch = RecordImport.objects.create(
            authority=authority,
            kind=ImportKind.CUSTOMS,
            filename="demo-customs.csv",
            sha256="0" * 64,
            rows=len(rows),
            imported_by_label="demo",
        )
        CustomsDeclaration.objects.bulk_create(
            [
                CustomsDeclaration(
                    authority=authority,
                    batch=batch,
                    number=n,
                    date=d,
                    hs_code=hs,
                    quantity=q,
                    licence_reference=ref,
                    direction=Direction.IMPORT,
                )
                for n, d, hs, q, ref in rows
            ]
        )
