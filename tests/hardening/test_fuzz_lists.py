"""Sanctions list loaders under hostile input: mutated real files and generated garbage.

A loader either returns a snapshot or raises its own ListFormatError naming the file; never a KeyError,
IndexError, TypeError, UnicodeError or RecursionError. Size caps hold and XML bombs are refused.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attkit.screening.loaders import (
    MAX_NAME_LENGTH,
    OFAC_SAMPLE,
    UN_SAMPLE,
    ListFormatError,
    ListSnapshot,
    load_ftm,
    load_national_csv,
    load_ofac,
    load_un,
)
from attkit.screening.loaders import model as list_model

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lists"
FAST = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=1500, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

# Characters that break naive parsers: delimiters, quotes, markup, Unicode digits that are not ASCII digits
# ("²".isdigit() is True but int("²") fails), controls, a BOM, a lone surrogate's neighbours.
NOISE = ",;\"'\n\r\t<>&]]>[{}:\\\x00\x1a\ufeff²١٣\u0130\u212a\u200b-0-"


@cache
def un_text() -> str:
    """The real UN list cut to its first three individuals and two entities (a small, real document)."""
    text = UN_SAMPLE.read_text(encoding="utf-8")
    individuals = re.findall(r"<INDIVIDUAL>.*?</INDIVIDUAL>", text, re.S)[:3]
    entities = re.findall(r"<ENTITY>.*?</ENTITY>", text, re.S)[:2]
    head = text[: text.index("<INDIVIDUALS>")]
    return (
        head
        + "<INDIVIDUALS>"
        + "".join(individuals)
        + "</INDIVIDUALS><ENTITIES>"
        + "".join(entities)
        + "</ENTITIES></CONSOLIDATED_LIST>\n"
    )


@cache
def ofac_texts() -> tuple[str, str, str]:
    """The real OFAC files cut to their first 40 entries, with those entries' aliases and addresses."""
    sdn = (OFAC_SAMPLE / "sdn.csv").read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)[:40]
    numbers = {line.split(",", 1)[0] for line in sdn}
    files = []
    for name in ("alt.csv", "add.csv"):
        lines = (OFAC_SAMPLE / name).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        files.append("".join(line for line in lines if line.split(",", 1)[0] in numbers))
    return "".join(sdn), files[0], files[1]


def national_text() -> str:
    return (FIXTURES / "national_sample.csv").read_text(encoding="utf-8")


def ftm_text() -> str:
    return (FIXTURES / "ftm_sample.jsonl").read_text(encoding="utf-8")


def test_the_real_cuts_load() -> None:
    """The mutations start from files that load (else every mutant would fail for the same dull reason)."""
    assert len(_load_un(un_text().encode()).entries) == 5
    assert len(_load_ofac(*(t.encode() for t in ofac_texts())).entries) == 40
    assert _load_national(national_text().encode()).entries
    assert _load_ftm(ftm_text().encode()).entries


_WORK = tempfile.TemporaryDirectory(prefix="attkit-fuzz-lists-")  # one folder, rewritten by every example


def _fresh_dir() -> Path:
    folder = Path(_WORK.name)
    for child in folder.iterdir():
        child.unlink()
    return folder


def _write(name: str, data: bytes) -> Path:
    path = _fresh_dir() / name
    path.write_bytes(data)
    return path


def _load_un(data: bytes, **kw: int) -> ListSnapshot:
    return load_un(_write("UN.xml", data), **kw)


def _load_national(data: bytes, **kw: int) -> ListSnapshot:
    return load_national_csv(_write("national.csv", data), **kw)


def _load_ftm(data: bytes, **kw: int) -> ListSnapshot:
    return load_ftm(_write("list.jsonl", data), **kw)


def _load_ofac(sdn: bytes, alt: bytes = b"", add: bytes = b"", **kw: int) -> ListSnapshot:
    folder = _fresh_dir()
    (folder / "sdn.csv").write_bytes(sdn)
    if alt:
        (folder / "alt.csv").write_bytes(alt)
    if add:
        (folder / "add.csv").write_bytes(add)
    return load_ofac(folder, **kw)


def loads_or_refuses(load: Callable[[], ListSnapshot]) -> ListSnapshot | None:
    """The property: a snapshot whose names respect the caps, or a ListFormatError; nothing else escapes."""
    refusal: ListFormatError | None = None
    try:
        snapshot = load()
    except ListFormatError as exc:
        refusal = exc
    if refusal is not None:
        assert str(refusal), "a refusal says what is wrong"
        return None
    for entry in snapshot.entries:
        assert entry.ref and entry.names
        assert all(0 < len(name.value) <= MAX_NAME_LENGTH for name in entry.names)
        assert len(entry.remarks) <= list_model.MAX_TEXT_LENGTH
    return snapshot


@st.composite
def mutated_text(draw: st.DrawFn, original: str) -> str:
    text = original
    for _ in range(draw(st.integers(1, 5))):
        where = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "delete", "replace", "duplicate-line", "truncate", "swap-digits"]))
        if how == "insert":
            text = text[:where] + draw(st.text(alphabet=NOISE, min_size=1, max_size=12)) + text[where:]
        elif how == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 40)) :]
        elif how == "replace":
            text = text[:where] + draw(st.text(max_size=6)) + text[where + draw(st.integers(1, 6)) :]
        elif how == "duplicate-line":
            start = text.rfind("\n", 0, where) + 1
            end = text.find("\n", where)
            line = text[start : end if end >= 0 else len(text)]
            text = text[:start] + line + "\n" + text[start:]
        elif how == "truncate":
            text = text[:where]
        else:  # digits become other digits: years, dates, numbers out of range
            text = re.sub(r"\d", lambda m: draw(st.sampled_from("09²١")), text, count=draw(st.integers(1, 30)))
    return text


def encodings() -> st.SearchStrategy[Callable[[str], bytes]]:
    return st.sampled_from(
        [
            lambda t: t.encode("utf-8", "surrogatepass"),
            lambda t: b"\xef\xbb\xbf" + t.encode("utf-8", "surrogatepass"),
            lambda t: t.encode("utf-16"),
            lambda t: t.encode("latin-1", "replace"),
            lambda t: t.encode("utf-8", "surrogatepass")[:-1],  # cut inside a character
        ]
    )


# --- UN XML --------------------------------------------------------------------------------------------------


@FAST
@given(mutated_text(un_text()), encodings())
def test_mutated_un_lists(text: str, encode: Callable[[str], bytes]) -> None:
    loads_or_refuses(lambda: _load_un(encode(text)))


XML_ATTACKS = {
    "billion-laughs": '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    "<CONSOLIDATED_LIST>&b;</CONSOLIDATED_LIST>",
    "external-entity": '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<CONSOLIDATED_LIST>&x;</CONSOLIDATED_LIST>",
    "external-dtd": '<?xml version="1.0"?><!DOCTYPE l SYSTEM "http://127.0.0.1:1/x.dtd"><CONSOLIDATED_LIST/>',
    "parameter-entity": '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY % p SYSTEM "http://127.0.0.1:1/p">%p;]>'
    "<CONSOLIDATED_LIST/>",
    "xinclude": '<CONSOLIDATED_LIST xmlns:xi="http://www.w3.org/2001/XInclude"><INDIVIDUALS><INDIVIDUAL>'
    '<FIRST_NAME><xi:include href="file:///etc/passwd" parse="text"/></FIRST_NAME>'
    "<REFERENCE_NUMBER>X</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
    "deep-nesting": "<CONSOLIDATED_LIST>" + "<a>" * 50_000 + "</a>" * 50_000 + "</CONSOLIDATED_LIST>",
    "many-attributes": "<CONSOLIDATED_LIST " + " ".join(f"a{i}='x'" for i in range(20_000)) + "/>",
    "utf-7": '<?xml version="1.0" encoding="UTF-7"?><CONSOLIDATED_LIST/>',
    "bogus-encoding": '<?xml version="1.0" encoding="x-no-such"?><CONSOLIDATED_LIST/>',
    "processing-instructions": "<?xml-stylesheet href='file:///etc/passwd'?><CONSOLIDATED_LIST/>",
}


@pytest.mark.parametrize("name", sorted(XML_ATTACKS))
def test_hostile_xml_is_refused_or_harmless(name: str) -> None:
    snapshot = loads_or_refuses(lambda: _load_un(XML_ATTACKS[name].encode()))
    if snapshot is not None:
        text = repr(snapshot.entries)
        assert "root:" not in text  # nothing was included from /etc/passwd


@pytest.mark.parametrize("name", ["billion-laughs", "external-entity", "external-dtd", "parameter-entity"])
def test_entities_and_dtds_are_refused(name: str) -> None:
    with pytest.raises(ListFormatError, match="refused"):
        _load_un(XML_ATTACKS[name].encode())


def test_size_caps_hold_for_every_loader() -> None:
    big = b"x" * 2048
    for load in (_load_un, _load_national, _load_ftm, _load_ofac):
        with pytest.raises(ListFormatError, match="over the 1,024-byte limit"):
            load(big, max_bytes=1024)


# --- OFAC CSV ------------------------------------------------------------------------------------------------


@FAST
@given(st.integers(0, 2), st.data())
def test_mutated_ofac_lists(which: int, data: st.DataObject) -> None:
    texts = list(ofac_texts())
    texts[which] = data.draw(mutated_text(texts[which]))
    encode = data.draw(encodings())
    loads_or_refuses(lambda: _load_ofac(*(encode(t) for t in texts)))


@pytest.mark.parametrize(
    "row",
    [
        "²,NAME,individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-",  # a Unicode digit that int() refuses
        "1,NAME,individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,DOB 01 Jan ²²²²",
        "1,NAME,individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,DOB 99 Feb 1970",
        "1,NAME,individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,DOB 0000",
        "1,NAME,individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,DOB 1970 to 0001",
        "1," + "N" * 100_000 + ",individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-",
        '1,"NAME\nNEXT",individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-',
        '1,"unterminated,individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-',
        "1,,individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-",
        "1,NAME,spaceship,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-",
    ],
)
def test_hostile_ofac_rows(row: str) -> None:
    loads_or_refuses(lambda: _load_ofac(row.encode()))


def test_a_huge_csv_field_is_a_format_error() -> None:
    row = '1,"' + "N" * 200_000 + '",individual,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-'
    with pytest.raises(ListFormatError):
        _load_ofac(row.encode())


# --- national CSV --------------------------------------------------------------------------------------------


@FAST
@given(mutated_text(national_text()), encodings())
def test_mutated_national_lists(text: str, encode: Callable[[str], bytes]) -> None:
    loads_or_refuses(lambda: _load_national(encode(text)))


@FAST
@given(
    st.lists(
        st.lists(st.text(alphabet=NOISE + "abcREFnamechmp", max_size=12), min_size=0, max_size=9),
        max_size=6,
    )
)
def test_garbage_national_lists(rows: list[list[str]]) -> None:
    header = "ref,name,schema,aliases,dob,country,program,remarks\n"
    body = "\n".join(",".join(cells) for cells in rows)
    loads_or_refuses(lambda: _load_national((header + body).encode("utf-8", "surrogatepass")))


# --- FollowTheMoney ------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)


@FAST
@given(mutated_text(ftm_text()), encodings())
def test_mutated_ftm_lists(text: str, encode: Callable[[str], bytes]) -> None:
    loads_or_refuses(lambda: _load_ftm(encode(text)))


@FAST
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "id": json_values,
            "schema": st.sampled_from(["Person", "Company", "Sanction", "Vessel", "Thing"]) | json_values,
            "properties": st.dictionaries(
                st.sampled_from(["name", "alias", "birthDate", "nationality", "entity", "address", "notes"]),
                json_values,
                max_size=4,
            )
            | json_values,
        },
    )
)
def test_generated_ftm_entities(entity: dict[str, object]) -> None:
    import json

    loads_or_refuses(lambda: _load_ftm(json.dumps(entity).encode()))


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "x", "schema": ["Person"]}',  # an unhashable schema
        '{"id": "x", "schema": {"a": 1}}',
        '{"id": ["x"], "schema": "Person", "properties": {"name": ["A"]}}',
        '{"id": "x", "schema": "Person", "properties": {"name": ["' + "A" * 5000 + '"]}}',
        '{"id": "x", "schema": "Person", "properties": {"birthDate": ["99999-99-99"], "name": ["A"]}}',
        '{"id": "x", "schema": "Person", "properties": {"name": ' + "[" * 100_000 + "]" * 100_000 + "}}",
        "[" * 100_000 + "]" * 100_000,
        '{"id": "x", "schema": "Person", "properties": {"name": ["A"]}, "x": 1e999999}',
        '"\\ud800"',
    ],
)
def test_hostile_ftm_lines(line: str) -> None:
    loads_or_refuses(lambda: _load_ftm(line.encode()))


# --- a larger budget -----------------------------------------------------------------------------------------


@pytest.mark.slow
@SLOW
@given(st.sampled_from(["un", "national", "ftm"]), st.data())
def test_many_mutated_lists(kind: str, data: st.DataObject) -> None:
    original = {"un": un_text, "national": national_text, "ftm": ftm_text}[kind]()
    load = {"un": _load_un, "national": _load_national, "ftm": _load_ftm}[kind]
    text = data.draw(mutated_text(original))
    encode = data.draw(encodings())
    loads_or_refuses(lambda: load(encode(text)))


@pytest.mark.slow
@SLOW
@given(st.integers(0, 2), st.data())
def test_many_mutated_ofac_lists(which: int, data: st.DataObject) -> None:
    texts = list(ofac_texts())
    texts[which] = data.draw(mutated_text(texts[which]))
    loads_or_refuses(lambda: _load_ofac(*(t.encode("utf-8", "surrogatepass") for t in texts)))
