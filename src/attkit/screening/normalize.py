"""Name normalisation for screening: disguise folding, transliteration, tokens with roles and keys."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any

from rigour.names import remove_obj_prefixes, remove_person_prefixes
from rigour.names import replace_org_types_compare as _replace_org_types
from rigour.text.scripts import codepoint_script
from rigour.text.translit import maybe_ascii

#: A name longer than this is refused (in a query as in a list file).
MAX_NAME_LENGTH = 1000


class InvalidName(ValueError):
    """A name that cannot be screened: empty, too long or not text."""


class Role(IntEnum):
    """What a token is within a name; the matcher weighs tokens by role."""

    NAME = 0  # a given name, surname, or the distinctive word of an organisation
    INITIAL = 1  # a single letter standing for a given name
    NUMBER = 2  # digits, number words, ordinals, roman numerals in organisation and vessel names
    PARTICLE = 3  # de, del, da, dos, al, bin, van, the, of, and ...
    LEGAL = 4  # an organisation's legal form: S.A. de C.V., LLC, GmbH, Ltd, Co, Corporation ...
    TITLE = 5  # an honorific kept inside a name: shaikh, haji, mullah ...


class Script(IntEnum):
    LATIN = 0  # Latin, or transliterated from an alphabet that maps letter for letter (Cyrillic, Greek ...)
    ABJAD = 1  # Arabic, Hebrew, Syriac, Thaana: vowels are not written, so compare consonant skeletons
    CJK = 2  # Han, Kana, Hangul: one character is a syllable, compare in the original script
    OTHER = 3  # scripts transliterated by ICU (Indic, Ethiopic, Thai ...) or left as they are


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Particles of Spanish, Portuguese, Arabic, Dutch, German, French and English names and of
# organisation names. They are matched like other tokens but weigh little.
PARTICLES = _words(
    "de del la las los da das do dos y e di du des der den van von ter ten zu al el bin bint ibn ben "
    "the of and und et for"
)
# Particles that are a given name when they start a name ("Ben Netanyahu").
_CONNECTORS_ONLY = frozenset({"bin", "bint", "ibn", "ben", "y", "e"})
_BIN = {"ibn": "bin", "ben": "bin", "bn": "bin"}
# Legal-form words that rigour's org-type data leaves alone or keeps as separate words.
LEGAL_WORDS = _words(
    "co company corp corporation inc incorporated ltd limited lda limitada llc plc cia compania sociedad sociedade "
    "sa sacv srl sas gmbh ag bv nv jsc ojsc cjsc pjsc oao zao ooo pao ao llp lp pte pty spzoo kg se ab oy aps sl "
    "slu sarl eurl snc sprl bvba"
)
# Abbreviations of organisation words, written out so that "Int'l" meets "International".
ABBREVIATIONS = {
    "intl": "international",
    "natl": "national",
    "mfg": "manufacturing",
    "bros": "brothers",
    "assn": "association",
    "assoc": "association",
    "dept": "department",
    "govt": "government",
    "univ": "university",
    "inst": "institute",
    "svcs": "services",
    "intern": "international",
}
# Honorifics kept inside person names (leading titles are removed with rigour's prefix data).
TITLES = _words("shaikh sheikh shaykh sheik haji hajji alhaj mullah mulla maulvi mawlawi qari mufti")

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen"
)
_NUMBER_WORDS = {word: value for value, word in enumerate(_UNITS.split(" "))}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_TENS |= {"eighty": 80, "ninety": 90}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8}
_ORDINALS |= {"ninth": 9, "tenth": 10}
_ORDINAL_SUFFIX = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_ROMAN = re.compile(r"^(?=[ivxlc]+$)(c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}

_ASCII_CONTROLS = dict.fromkeys((*range(32), 127), " ")
# Invisible letters and fillers that NFKC keeps: Hangul fillers, braille blank, the combining
# grapheme joiner, the Mongolian vowel separator.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e")
# Apostrophes and dots deleted inside a word ("Qa'ida", "A.B.C.", "Gad·dafi"); other punctuation separates.
_JOINERS = frozenset("'’‘`´ʼʻ′.·・")
_CJK_START = 0x2E80
_ABJAD = frozenset({"Arabic", "Hebrew", "Syriac", "Thaana", "Nko"})
_CJK = frozenset({"Han", "Hiragana", "Katakana", "Hangul", "Bopomofo"})
# Optional vowel points of abjads: dropped like accents.
_VOWEL_POINTS = re.compile("[\u0591-\u05c7\u064b-\u065f\u0670\u06d6-\u06ed\u0610-\u061a]")
_CONFUSABLE_RANGES = (
    (0x0370, 0x0400),  # Greek
    (0x0400, 0x0530),  # Cyrillic and its supplement
    (0x0530, 0x0590),  # Armenian
    (0x10A0, 0x1100),  # Georgian
    (0x13A0, 0x1400),  # Cherokee
    (0x1D00, 0x1D80),  # phonetic small capitals
    (0x2C80, 0x2D00),  # Coptic
    (0xA4D0, 0xA500),  # Lisu
    (0xAB70, 0xABC0),  # Cherokee small letters
)


@lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    """Letters of other scripts that look like one Latin letter, from ICU's confusable skeletons."""
    import icu

    checker = icu.SpoofChecker()
    table: dict[str, str] = {}
    for start, end in _CONFUSABLE_RANGES:
        for codepoint in range(start, end):
            char = chr(codepoint)
            if not unicodedata.category(char).startswith("L"):
                continue
            skeleton = checker.getSkeleton(0, char)
            if len(skeleton) == 1 and skeleton.isascii() and skeleton.isalpha():
                table[char] = skeleton
    return table


@lru_cache(maxsize=1)
def _icu_latin() -> object:
    import icu

    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


def _script(char: str) -> str:
    return codepoint_script(ord(char)) or "Common"


def _drop_stray_marks(text: str) -> str:
    """Remove marks stacked or repeated on a letter and marks foreign to its script; keep the first accent."""
    out: list[str] = []
    base_script = "Common"
    seen: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        category = unicodedata.category(char)
        if category not in ("Mn", "Me"):
            out.append(char)
            base_script = _script(char) if category.startswith("L") else "Common"
            seen = []
            continue
        if base_script in ("Common", "Inherited") or char in seen:
            continue
        mark_script = _script(char)
        if mark_script == "Inherited" and any(_script(mark) == "Inherited" for mark in seen):
            continue  # a second generic diacritic on one letter is decoration, never spelling
        if base_script == "Latin" and mark_script != "Inherited":
            continue
        seen.append(char)
        out.append(char)
    text = unicodedata.normalize("NFC", "".join(out))
    return _VOWEL_POINTS.sub("", text)


def _fold_confusables(text: str) -> str:
    """Replace look-alike letters of other scripts inside Latin words by the Latin letter they imitate."""
    table = _confusables()
    words = re.split(r"(\W+)", text)
    has_latin = [any(_script(c) == "Latin" for c in word if c.isalpha()) for word in words]
    name_is_latin = any(has_latin)
    folded: list[str] = []
    for word, latin in zip(words, has_latin, strict=True):
        if word.isascii() or not any(c in table for c in word):
            folded.append(word)
        elif latin or (name_is_latin and all(c in table for c in word if c.isalpha())):
            folded.append("".join(table.get(c, c) for c in word))
        else:
            folded.append(word)
    return "".join(folded)


def clean(text: str) -> str:
    """A name with disguises undone: NFKC, invisible characters out, stray accents out, look-alikes folded.

    The result keeps its scripts and case; `normalise` goes on to Latin lower-case tokens.
    """
    if not isinstance(text, str):
        raise InvalidName("a name must be text")
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidName(f"name of {len(text):,} characters is over the {MAX_NAME_LENGTH:,}-character limit")
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        chars: list[str] = []
        for char in text:
            category = unicodedata.category(char)
            if category == "Cc" or category.startswith("Z"):
                chars.append(" ")
            elif category.startswith("C") or char in _INVISIBLE:
                continue
            else:
                chars.append(char)
        text = _fold_confusables(_drop_stray_marks("".join(chars)))
    else:
        text = text.translate(_ASCII_CONTROLS)
    text = " ".join(text.split())
    if not text or not any(char.isalnum() for char in text):
        raise InvalidName("empty name")
    return text


def _is_word_char(char: str) -> bool:
    """Letters, digits and the combining marks of scripts that write vowels as marks (Devanagari, Khmer)."""
    return char.isalnum() or (not char.isascii() and unicodedata.category(char)[0] == "M")


def _joins(before: str, after: str) -> bool:
    """A joiner between these two characters is inside a word (not between CJK syllables or words)."""
    return _is_word_char(before) and _is_word_char(after) and ord(before) < _CJK_START and ord(after) < _CJK_START


_ASCII_JOINERS = re.compile(r"(?<=[a-z0-9])['.`](?=[a-z0-9])")
_ASCII_SEPARATORS = re.compile(r"[^a-z0-9]+")


def _split_words(text: str) -> list[str]:
    """Words of a cleaned, case-folded name: joiners inside a word deleted, other punctuation separating."""
    text = text.replace("&", " and ")
    if text.isascii():
        return [word for word in _ASCII_SEPARATORS.split(_ASCII_JOINERS.sub("", text)) if word]
    out: list[str] = []
    length = len(text)
    for index, char in enumerate(text):
        if _is_word_char(char):
            out.append(char)
        elif char in _JOINERS and 0 < index < length - 1 and _joins(text[index - 1], text[index + 1]):
            continue
        else:
            out.append(" ")
    return "".join(out).split()


@lru_cache(maxsize=100_000)
def latin(word: str) -> str:
    """A word in lower-case ASCII (ICU 'Any-Latin; Latin-ASCII' where rigour has no spelling)."""
    if word.isascii():
        return word
    text = maybe_ascii(word)
    if not text.isascii():
        text = _icu_latin().transliterate(text)  # type: ignore[attr-defined]
    if any(char.isalpha() and not char.isascii() and unicodedata.category(char) != "Lm" for char in text):
        return word  # no transliteration for this script (Khmer): compare the letters themselves
    text = "".join(char for char in text.casefold() if char.isascii() and char.isalnum())
    return text or word


def _word_script(word: str) -> Script:
    for char in word:
        if char.isalpha():
            script = _script(char)
            if script in _ABJAD:
                return Script.ABJAD
            if script in _CJK:
                return Script.CJK
            if script in ("Latin", "Cyrillic", "Greek", "Armenian", "Georgian"):
                return Script.LATIN
            return Script.OTHER
    return Script.LATIN


_FOLDS = (
    ("sch", "s"),
    ("sh", "s"),
    ("tch", "ch"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("ph", "f"),
    ("ck", "k"),
    ("kh", "h"),
    ("gh", "g"),
    ("dh", "d"),
    ("th", "t"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("q", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("z", "s"),
    ("y", "i"),
    ("o", "u"),
    ("e", "i"),
)
_LEET = str.maketrans("0134579", "oieastg")
_DOUBLES = re.compile(r"(.)\1+")
_C_NOT_H = re.compile(r"c(?!h)")
_J_AFTER_VOWEL = re.compile(r"(?<=[aeiou])j")


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """A transliteration-tolerant spelling: kh/h, q/k, z/s, w/v, y/i, o/u, e/i, ou/u, doubled letters."""
    return _DOUBLES.sub(r"\1", _fold_letters(word))


def _fold_letters(word: str) -> str:
    if any(char.isdigit() for char in word) and any(char.isalpha() for char in word):
        word = word.translate(_LEET)  # "Ig0r Sech1n"
    for old, new in _FOLDS:
        if old in word:
            word = word.replace(old, new)
    word = _C_NOT_H.sub("k", word)
    word = _J_AFTER_VOWEL.sub("i", word)  # Sergej, Sergei; Nikolaj, Nikolai
    if word.startswith("ks"):
        word = "s" + word[2:]  # Pinyin x: Xi, Shi, Si
    return word


_SKELETON = str.maketrans({"p": "b", "g": "k"})
_SKELETON_DROP = re.compile(r"[aeiouvy]")


@lru_cache(maxsize=100_000)
def skeleton(word: str, *, abjad: bool = False) -> str:
    """The consonants of a word, as an abjad writes them: محمد 'mhmd' and Mohammed 'mhmd' agree.

    A Latin double letter is one consonant written twice (Muammar); in a word transliterated from an
    abjad, two equal consonants are two letters (معمر 'mmr', whose ʿayn has no Latin letter).
    """
    folded = _fold_letters(word) if abjad else fold(word)
    text = _SKELETON_DROP.sub("", folded).translate(_SKELETON)
    return text or folded[:1]


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    if word in _ORDINALS:
        return _ORDINALS[word]
    if word in _TENS:
        return _TENS[word]
    if match := _ORDINAL_SUFFIX.match(word):
        return int(match.group(1))
    return None


def _roman(word: str) -> int | None:
    if not word or not _ROMAN.match(word):
        return None
    total, previous = 0, 0
    for char in reversed(word):
        value = _ROMAN_VALUES[char]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # lower-case ASCII (or the original letters when no transliteration exists)
    native: str  # the cleaned, case-folded word in its own script
    script: Script
    role: Role
    fold: str
    skeleton: str
    symbols: frozenset[str] = frozenset()  # the generic class of a legal form (ORGCLS:llc)
    plain: bool = False  # a Latin-script name part: the matcher's fast path
    place: bool = False  # a country named in an organisation's name ("Banco Santander Chile")


class _Lazy:
    """A per-instance cache for frozen dataclasses (3.11's cached_property takes a lock on every read)."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.name = function.__name__

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self.function(instance)
        instance.__dict__[self.name] = value  # found before this descriptor from now on
        return value


@dataclass(frozen=True)
class AnalysedName:
    original: str
    kind: str  # "person", "organization", "vessel", "aircraft" or "any"
    tokens: tuple[Token, ...]
    normalised: str = ""  # the tokens joined by spaces
    key: str = ""  # the tokens sorted: the same for the same name in any order (CJK by its characters)

    @_Lazy
    def spans(self) -> tuple[tuple[tuple[int, ...], str], ...]:
        """Runs of two or three adjacent words, joined ('patr ushev' -> 'patrushev', 'van der bilt')."""
        tokens = self.tokens
        spans: list[tuple[tuple[int, ...], str]] = []
        for start in range(len(tokens) - 1):
            for size in (2, 3):
                end = start + size
                if end > len(tokens):
                    break
                part = tokens[start:end]
                if any(t.role is Role.NUMBER or t.script is Script.CJK for t in part):
                    break
                spans.append((tuple(range(start, end)), "".join(t.text for t in part)))
        return tuple(sorted(spans, key=lambda span: len(span[1])))

    @_Lazy
    def longest(self) -> int:
        """The length of the longest name word (not legal form, particle, title or number)."""
        return max((len(t.text) for t in self.tokens if t.role is Role.NAME), default=0)

    @_Lazy
    def span_lengths(self) -> tuple[int, ...]:
        return tuple(len(joined) for _, joined in self.spans)

    @_Lazy
    def acronyms(self) -> dict[str, tuple[int, ...]]:
        """Initials of runs of two to six words ('peoples liberation army' -> 'pla'), particles skipped."""
        tokens = self.tokens
        found: dict[str, tuple[int, ...]] = {}
        for start, first in enumerate(tokens):
            if first.role is not Role.NAME:
                continue
            indices: list[int] = []
            initials = ""
            for index in range(start, len(tokens)):
                token = tokens[index]
                if token.role is Role.PARTICLE:
                    indices.append(index)
                    continue
                if token.role is not Role.NAME or len(initials) == 6:
                    break
                indices.append(index)
                initials += token.text[0]
                if len(initials) >= 2:
                    found.setdefault(initials, tuple(indices))
        return found


_KINDS = frozenset({"person", "organization", "vessel", "aircraft", "any"})


def _kind(schema: str | None) -> str:
    kind = (schema or "any").casefold()
    if kind in ("individual", "people"):
        return "person"
    if kind in ("organisation", "company", "entity", "legalentity", "publicbody"):
        return "organization"
    if kind in ("airplane",):
        return "aircraft"
    return kind if kind in _KINDS else "any"


def _strip_affixes(text: str, kind: str) -> str:
    """Remove leading person titles or object prefixes and canonicalise legal forms (rigour's data)."""
    stripped = text
    if kind in ("person", "any"):
        stripped = remove_person_prefixes(stripped) or stripped
    if kind in ("vessel", "aircraft"):
        stripped = remove_obj_prefixes(stripped) or stripped
    if kind in ("organization", "any", "person"):
        stripped = _replace_org_types(stripped) or stripped
    return stripped if stripped.strip() else text


@lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    """One-word country names in lower-case ASCII (pycountry's names and common names)."""
    import pycountry

    from attkit.screening.loaders.countries import ALIASES

    words: set[str] = {alias for alias in ALIASES if " " not in alias}
    for country in pycountry.countries:
        for attribute in ("name", "common_name"):
            value = getattr(country, attribute, None)
            if value and " " not in value and "," not in value:
                words.add(latin(value.casefold()))
    return frozenset(word for word in words if len(word) >= 4)


def _is_country(word: str) -> bool:
    """A one-word country name (codes are not: 'sa' and 'ag' are legal forms)."""
    return word in _country_words()


@lru_cache(maxsize=10_000)
def _legal_class(word: str) -> frozenset[str]:
    """The generic class of a legal form in rigour's org-type data: GmbH, Ltd, S.R.L. -> llc; AG, S.A. -> jsc."""
    generic = _replace_org_types(word, generic=True)
    return frozenset({f"ORGCLS:{generic}"}) if generic and " " not in generic else frozenset()


def _merge_numbers(words: list[str]) -> list[str]:
    """'forty four' -> '44', 'forty-four' (already split) -> '44'."""
    merged: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word in _TENS and index + 1 < len(words) and 0 < _NUMBER_WORDS.get(words[index + 1], 0) < 10:
            merged.append(str(_TENS[word] + _NUMBER_WORDS[words[index + 1]]))
            index += 2
            continue
        merged.append(word)
        index += 1
    return merged


def _split_arabic_article(words: list[str]) -> list[str]:
    """'القذافي' -> 'ال' 'قذافي': Arabic writes the article joined to the name, Latin spellings split it."""
    out: list[str] = []
    for word in words:
        if word.startswith("ال") and len(word) > 4 and _word_script(word) is Script.ABJAD:
            out.extend(("ال", word[2:]))
        else:
            out.append(word)
    return out


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    native: str
    script: Script
    fold: str
    skeleton: str
    number: int | None
    roman: int | None


@lru_cache(maxsize=100_000)
def _word(word: str) -> _Word:
    script = _word_script(word)
    text = latin(word)
    if script is Script.ABJAD:
        text = _BIN.get(text, text)
    return _Word(
        text=text,
        # Latin-script words compare by their ASCII form, so an accent (or a disguise) changes nothing.
        native=text if script is Script.LATIN else word,
        script=script,
        fold=fold(text),
        skeleton=skeleton(text, abjad=script is Script.ABJAD),
        number=_number(text),
        roman=_roman(text),
    )


def _role(info: _Word, kind: str, position: int, count: int) -> tuple[Role, str]:
    text = info.text
    if text in TITLES and kind in ("person", "any"):
        return Role.TITLE, text
    if text in PARTICLES and not (position == 0 and text in _CONNECTORS_ONLY):
        return Role.PARTICLE, _BIN.get(text, text)
    if text in LEGAL_WORDS and kind != "person" and count > 1:
        return Role.LEGAL, text
    if info.number is not None and kind != "person":
        return Role.NUMBER, str(info.number)
    if info.roman and position > 0 and kind in ("organization", "vessel", "aircraft"):
        return Role.NUMBER, str(info.roman)
    if kind != "person" and text in ABBREVIATIONS:
        return Role.NAME, ABBREVIATIONS[text]
    if len(text) == 1 and text.isalpha() and kind in ("person", "any") and count > 1:
        return Role.INITIAL, text
    return Role.NAME, text


@lru_cache(maxsize=8_192)
def analyse(name: str, schema: str | None = None) -> AnalysedName:
    """Clean, fold, transliterate and tokenise a name; each token carries its role and matching keys."""
    kind = _kind(schema)
    text = _strip_affixes(clean(name).casefold(), kind)
    words = _split_arabic_article(_merge_numbers(_split_words(text)))
    tokens: list[Token] = []
    count = len(words)
    for position, word in enumerate(words):
        info = _word(word)
        role, token_text = _role(info, kind, position, count)
        changed = token_text != info.text
        symbols = _legal_class(token_text) if role is Role.LEGAL else frozenset()
        tokens.append(
            Token(
                text=token_text,
                native=token_text if changed and info.script is Script.LATIN else info.native,
                script=info.script,
                role=role,
                fold=fold(token_text) if changed else info.fold,
                skeleton=skeleton(token_text, abjad=info.script is Script.ABJAD) if changed else info.skeleton,
                symbols=symbols,
                plain=role is Role.NAME and info.script is Script.LATIN,
                place=kind != "person" and role is Role.NAME and _is_country(token_text),
            )
        )
    key = " ".join(sorted(t.native if t.script is Script.CJK else t.text for t in tokens))
    return AnalysedName(name, kind, tuple(tokens), " ".join(t.text for t in tokens), key)


_ALTERNATIVES = re.compile(r"\s*/\s*")


def name_variants(name: str) -> list[str]:
    """A name and, when it joins alternatives with a slash ("Al-Qa'ida/Islamic Army"), each of them.

    A slash inside a short code ("A/S", "M/V") is not a separator: each side must have three letters.
    """
    parts = _ALTERNATIVES.split(name)
    if len(parts) < 2 or any(sum(char.isalpha() for char in part) < 3 for part in parts):
        return [name]
    return [name, *parts]


def normalise(name: str, schema: str | None = None) -> str:
    """The normal form of a name: Latin lower-case tokens, titles removed, legal forms canonical.

    Disguised spellings of a name (look-alike letters of other scripts, invisible characters,
    stacked accents, full-width forms) give exactly the normal form of the plain name.
    """
    return analyse(name, schema).normalised


def name_key(name: str, schema: str | None = None) -> str:
    """The normal form with its tokens sorted, the same for any order of the same names."""
    return analyse(name, schema).key
