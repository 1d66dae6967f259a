"""The packaged data files read as the sets they claim to be (no database)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from attkit.reference import datafiles
from attkit.reference.datafiles import DATA_DIR, DataFileError


def test_countries_are_iso_3166_with_spanish_names_and_the_33_lac_states():
    rows = datafiles.read_countries()
    by_code = {r.alpha2: r for r in rows}
    assert len(rows) == 249
    assert sum(r.in_lac for r in rows) == 33
    assert by_code["MX"].alpha3 == "MEX" and by_code["MX"].numeric == "484"
    assert by_code["MX"].name_es == "México"
    assert by_code["TT"].name_es == "Trinidad y Tobago"
    assert by_code["DZ"].name_es == "Argelia"  # corrected in country_names_es.csv
    assert by_code["VE"].in_lac and by_code["KN"].in_lac and not by_code["US"].in_lac and not by_code["PR"].in_lac


def test_lac_list_has_33_distinct_states():
    states = datafiles.read_lac_states()
    assert len(states) == 33
    assert {"MX", "CR", "TT", "BR", "HT", "CU", "VE", "BO"} <= set(states)


def test_categories_i_to_vii_salw_lines_and_national_classes():
    rows = datafiles.read_categories()
    codes = [r.code for r in rows]
    assert codes[:7] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    assert {"VII(a)", "VII(b)", "VIII", "ART3", "ART4"} <= set(codes)
    assert [c for c in codes if c.startswith("VIII-SA-")] == [f"VIII-SA-{n}" for n in range(1, 7)]
    assert [c for c in codes if c.startswith("VIII-LW-")] == [f"VIII-LW-{n}" for n in range(1, 8)]
    assert len(rows) == 25
    for row in rows:
        assert row.name_en and row.name_es and row.description_en and row.description_es, row.code
        assert row.source, row.code
    by_code = {r.code: r for r in rows}
    assert by_code["VIII-LW-6"].name_en == "Mortars of calibres less than 75 mm"
    assert by_code["I"].name_es == "Carros de combate"
    assert "(verify)" in by_code["VIII"].note_en and "(verificar)" in by_code["VIII"].note_es
    assert "MANPADS" in by_code["VII(b)"].name_en


def test_hs_2022_rows_are_chapter_93_and_the_four_headings():
    rows = datafiles.read_hs()
    codes = {r.code for r in rows}
    assert len(rows) == 50
    assert [r.level for r in rows].count(2) == 1 and [r.level for r in rows].count(4) == 11
    assert {"93", "9301", "930110", "930120", "930190", "9302", "9303", "9304", "9305", "9306", "9307"} <= codes
    assert {"8710", "871000", "8802", "880211", "8806", "880699", "8906", "890610", "890690"} <= codes
    assert not any(c.startswith(("87", "88", "89")) and c[:4] not in {"8710", "8802", "8806", "8906"} for c in codes)


def test_crosswalk_rows_follow_domain_section_4():
    rows = datafiles.read_crosswalk()
    links = {(r.hs_code, r.category) for r in rows}
    assert ("9302", "VIII-SA-1") in links
    assert {("930110", "III"), ("930110", "VIII-LW-6")} <= links
    assert {("930190", "VIII-SA-3"), ("930190", "VIII-SA-4"), ("930190", "VIII-SA-5"), ("930190", "VIII-LW-1")} <= links
    assert {("930120", "VII"), ("930120", "VIII-LW-2"), ("930120", "VIII-LW-5")} <= links
    assert {("9305", "ART4"), ("9306", "ART3"), ("9306", "VII"), ("8710", "I"), ("8710", "II")} <= links
    assert {("8802", "IV"), ("8802", "V"), ("8806", "IV"), ("8806", "V"), ("890610", "VI")} <= links
    scopes = {r.hs_code: r.scope for r in rows if not r.category}
    assert scopes == {"9303": "national_definition", "9304": "outside_att", "9307": "outside_att"}
    assert all(r.note_en and r.note_es and r.source for r in rows)


def test_fourteen_un_regimes_and_two_eu_embargoes():
    un = datafiles.read_embargoes("unsc_arms_embargoes.csv")
    eu = datafiles.read_embargoes("other_arms_embargoes.csv", default_imposed_by="UN")
    assert len(un) == 14 and all(r.imposed_by == "UN" for r in un)
    assert len(eu) == 2 and all(r.imposed_by == "EU" for r in eu)
    by_key = {r.key: r for r in un + eu}
    assert by_key["un-kp"].scope == "full" and by_key["un-kp"].exports_banned
    assert by_key["un-kp"].reference == "S/RES/1718 (2006)"
    assert by_key["un-cd"].scope == "non_state_actors"
    assert by_key["un-res-1988"].target_iso2 == "" and by_key["un-res-1988"].scope == "listed_only"
    assert by_key["eu-ve"].reference == "Council Decision (CFSP) 2017/2074"
    assert datafiles.latest_status_date(un) == date(2026, 2, 12)


def test_rows_marked_memory_are_unverified():
    rows = datafiles.read_embargoes("unsc_arms_embargoes.csv") + datafiles.read_embargoes(
        "other_arms_embargoes.csv", default_imposed_by="EU"
    )
    unverified = {r.key: r.unverified_fields for r in rows if not r.verified}
    assert unverified == {
        "un-cd": ("latest_resolutions",),
        "un-ir": ("notes",),
        "un-iq": ("notes",),
        "un-sd": ("latest_resolutions",),
        "eu-ve": ("notes",),
    }


@pytest.mark.parametrize(
    ("text", "code"),
    [("9301.10", "930110"), ("9301 10", "930110"), ("93011000", "930110"), ("93", "93"), ("93a", "")],
)
def test_normalise_hs(text, code):
    assert datafiles.normalise_hs(text) == code


def test_dotted_codes():
    assert datafiles.dotted("930110") == "9301.10"
    assert datafiles.dotted("9301") == "9301"


def test_status_dates_parse_only_a_leading_iso_date():
    assert datafiles.parse_iso_date("2024-03-28 (latest change found)") == date(2024, 3, 28)
    assert datafiles.parse_iso_date("2010 (no later change found)") is None
    assert datafiles.parse_iso_date("2025-02-30") is None


def test_every_set_has_a_source_licence_and_files():
    for key in ("countries", "categories", "hs", "crosswalk", "embargoes_un", "embargoes_other"):
        meta = datafiles.set_meta(key, as_of=date(2026, 1, 1))
        assert meta.source and meta.licence and meta.files, key
        assert meta.as_of is not None, key
        for name in meta.files:
            assert (DATA_DIR / name).is_file()
    assert datafiles.set_meta("hs").licence == "ODC-PDDL-1.0"
    assert datafiles.set_meta("embargoes_un").verify_at.startswith("https://")


def test_provenance_names_the_sources_and_licences():
    text = (DATA_DIR / "PROVENANCE.md").read_text()
    assert "ODC-PDDL" in text
    for name in ("hs2022_arms.csv", "unsc_arms_embargoes.csv", "other_arms_embargoes.csv", "categories.csv"):
        assert name in text


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_a_bad_scope_is_refused_with_file_and_line(tmp_path):
    data = _copy(tmp_path)
    path = data / "unsc_arms_embargoes.csv"
    path.write_text(path.read_text().replace(",KP,full,", ",KP,everything,"), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"unsc_arms_embargoes.csv:\d+: scope must be one of"):
        datafiles.read_embargoes("unsc_arms_embargoes.csv", data_dir=data)


def test_a_missing_column_is_refused(tmp_path):
    data = _copy(tmp_path)
    (data / "crosswalk.csv").write_text("hs_code,category\n9302,VIII-SA-1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="missing columns"):
        datafiles.read_crosswalk(data)


def test_a_link_without_a_spanish_note_is_refused(tmp_path):
    data = _copy(tmp_path)
    (data / "crosswalk.csv").write_text(
        "hs_code,category,scope,note_en,note_es,source\n9302,VIII-SA-1,att,Pistols.,,DOMAIN\n", encoding="utf-8"
    )
    with pytest.raises(DataFileError, match="note in English and Spanish"):
        datafiles.read_crosswalk(data)


def test_an_oversize_file_is_refused(tmp_path):
    data = _copy(tmp_path)
    (data / "categories.csv").write_bytes(b"x" * (datafiles.MAX_FILE_BYTES + 1))
    with pytest.raises(DataFileError, match="larger than"):
        datafiles.read_categories(data)
