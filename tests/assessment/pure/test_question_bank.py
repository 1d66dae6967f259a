"""The question bank loads, is complete in en and es, uses the official Spanish terms, and rejects bad edits by name."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from attkit.assessment import questionbank
from attkit.assessment.questionbank import QuestionBank, QuestionBankError, QuestionKind, SourceKind
from attkit.assessment.rules import GATES, Criterion, Mitigation, Rating


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return questionbank.load(1)


@pytest.fixture
def raw() -> dict[str, Any]:
    text = (resources.files("attkit.assessment") / "data" / "question_bank_v1.json").read_text(encoding="utf-8")
    return json.loads(text)


def broken(raw: dict[str, Any], edit: Callable[[dict[str, Any]], object]) -> str:
    data = copy.deepcopy(raw)
    edit(data)
    with pytest.raises(QuestionBankError) as err:
        questionbank.parse(data, origin="question_bank_v1.json")
    return str(err.value)


def test_version_1_loads_and_is_the_latest(bank: QuestionBank) -> None:
    assert bank.version == 1
    assert questionbank.available_versions()[0] == 1
    assert questionbank.load().version == questionbank.latest_version()
    assert bank.languages == ("en", "es")


def test_an_unknown_version_is_refused_by_name() -> None:
    with pytest.raises(QuestionBankError, match=r"question_bank_v99\.json: no such version"):
        questionbank.load(99)


def test_every_text_is_complete_in_english_and_spanish(bank: QuestionBank) -> None:
    texts = list(questionbank.iter_texts(bank))
    assert len(texts) > 100
    for where, text in texts:
        assert text.en.strip(), where
        assert text.es.strip(), where
    for q in bank.questions:
        assert q.text.en != q.text.es, q.code
        assert q.guidance.en != q.guidance.es, q.code


def test_the_sections_of_domain_section_7(bank: QuestionBank) -> None:
    assert [s.code for s in bank.sections] == ["art6", "art7", "art11", "proportionality"]
    art6 = bank.sections[0]
    assert {q.kind for q in art6.questions} == {QuestionKind.GATE}
    assert {q.criterion for q in art6.questions} == GATES
    for section in bank.sections[1:]:
        assert {q.kind for q in section.questions} == {QuestionKind.RATING}


def test_the_gates_cover_embargoes_other_obligations_and_atrocity_crimes(bank: QuestionBank) -> None:
    assert [q.code for q in bank.gates] == [
        "art6.1.destination",
        "art6.1.end_user",
        "art6.1.other_party",
        "art6.2.international_obligations",
        "art6.3.genocide",
        "art6.3.crimes_against_humanity",
        "art6.3.grave_breaches",
        "art6.3.attacks_on_civilians",
        "art6.3.other_war_crimes",
    ]


def test_every_criterion_has_questions(bank: QuestionBank) -> None:
    for criterion in Criterion:
        assert bank.questions_for(criterion), criterion
    assert {q.code for q in bank.questions_for(Criterion.GENDER_BASED_VIOLENCE)} == {
        "art7.4.gender_based_violence",
        "art7.4.violence_women_children",
    }
    diversion = {q.code for q in bank.questions_for(Criterion.DIVERSION)}
    assert {
        "art11.euc_authenticity",
        "art11.stockpile_security",
        "art11.transit_route",
        "prop.past_imports",
    } <= diversion


def test_every_question_has_guidance_and_known_sources(bank: QuestionBank) -> None:
    for q in bank.questions:
        assert q.sources, q.code
        for code in q.sources:
            assert bank.source(code).code == code


def test_the_suggested_sources_include_the_main_public_ones(bank: QuestionBank) -> None:
    codes = {s.code for s in bank.sources}
    assert {
        "unsc-sanctions",
        "ohchr-upr",
        "hrc-commissions-of-inquiry",
        "icrc",
        "sipri-arms-transfers",
        "un-register",
    } <= codes
    for source in bank.sources:
        if source.kind is SourceKind.EXTERNAL:
            assert source.url is not None
            assert source.url.startswith("https://")


def test_the_ratings_scale_matches_the_rules(bank: QuestionBank) -> None:
    assert [r.code for r in bank.ratings] == [r.value for r in Rating]
    assert bank.ratings[-1].label.es == "Muy alto"
    assert [a.label.es for a in bank.gate_answers] == ["No", "Sí"]


def test_mitigation_measures_of_article_7_2_and_11(bank: QuestionBank) -> None:
    codes = [m.code for m in bank.mitigations]
    for expected in (
        "confidence_building",
        "joint_programme",
        "post_shipment_verification",
        "delivery_verification_certificate",
        "marking",
        "re_export_consent",
    ):
        assert expected in codes
    for m in bank.mitigations:
        assert Mitigation(m.code, m.criteria, m.default_effect).effect == m.default_effect
    assert bank.mitigation("confidence_building").name.es == "Medidas de fomento de la confianza"
    assert bank.mitigation("joint_programme").name.es.startswith("Programas elaborados y acordados conjuntamente")


def all_spanish(bank: QuestionBank) -> str:
    return "\n".join(text.es for _, text in questionbank.iter_texts(bank))


@pytest.mark.parametrize(
    "term",
    [
        "riesgo manifiesto",
        "Consejo de Seguridad de las Naciones Unidas",
        "Capítulo VII de la Carta de las Naciones Unidas",
        "violación grave del derecho internacional humanitario",
        "violación grave del derecho internacional de los derechos humanos",
        "convenciones o los protocolos internacionales relativos al terrorismo",
        "delincuencia organizada transnacional",
        "contribuir a la paz y la seguridad o menoscabarlas",
        "genocidio",
        "crímenes de lesa humanidad",
        "infracciones graves de los Convenios de Ginebra de 1949",
        "ataques dirigidos contra bienes de carácter civil o personas civiles protegidas como tales",
        "crímenes de guerra",
        "actos graves de violencia por motivos de género",
        "actos graves de violencia contra las mujeres y los niños",
        "certificado de usuario final",
        "desvío",
        "transbordo",
        "Registro de Armas Convencionales de las Naciones Unidas",
        "medidas de fomento de la confianza",
    ],
)
def test_the_spanish_uses_the_official_treaty_terms(bank: QuestionBank, term: str) -> None:
    assert term.casefold() in all_spanish(bank).casefold()


@pytest.mark.parametrize("wrong", ["riesgo preponderante", "trasbordo", "riesgo primordial"])
def test_the_spanish_avoids_unofficial_terms(bank: QuestionBank, wrong: str) -> None:
    assert wrong not in all_spanish(bank).casefold()


def test_text_falls_back_to_english_for_other_languages(bank: QuestionBank) -> None:
    q = bank.question("art6.3.genocide")
    assert q.text.get("es-MX") == q.text.es
    assert q.text.get("pt") == q.text.en
    with pytest.raises(KeyError, match="no question 'nope'"):
        bank.question("nope")


# Bad edits are refused with the item named ------------------------------------------------------


def test_a_missing_spanish_text_names_the_question(raw: dict[str, Any]) -> None:
    message = broken(raw, lambda d: d["sections"][1]["questions"][2]["text"].pop("es"))
    assert message == "question_bank_v1.json: question 'art7.1bi.ihl_record'.text.es: missing or empty translation"


def test_an_empty_translation_is_refused(raw: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["mitigations"][0]["name"]["es"] = "  "

    assert "mitigation 'confidence_building'.name.es: missing or empty translation" in broken(raw, edit)


def test_an_unknown_source_is_named(raw: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["sections"][0]["questions"][0]["sources"].append("wikipedia")

    assert "question 'art6.1.destination': unknown source(s) wikipedia" in broken(raw, edit)


def test_a_gate_must_feed_an_article6_criterion(raw: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["sections"][0]["questions"][0]["criterion"] = "7.1.a"

    assert "question 'art6.1.destination': a gate question cannot feed criterion 7.1.a" in broken(raw, edit)


def test_an_unknown_criterion_is_named(raw: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["sections"][3]["questions"][0]["criterion"] = "8"

    assert "question 'prop.quantity_need'.criterion: unknown criterion '8'" in broken(raw, edit)


def test_duplicate_question_codes_are_refused(raw: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["sections"][3]["questions"][0]["code"] = "art6.1.destination"

    assert "duplicate question code 'art6.1.destination'" in broken(raw, edit)


def test_a_bank_must_cover_every_criterion(raw: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["sections"][1]["questions"] = [q for q in d["sections"][1]["questions"] if q["criterion"] != "7.4"]

    assert "no question feeds criterion(s) 7.4" in broken(raw, edit)


def test_a_mitigation_of_an_article6_prohibition_is_refused(raw: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["mitigations"][1]["criteria"].append("6.3")

    assert "mitigation 'joint_programme': Art. 6 prohibitions cannot be mitigated (6.3)" in broken(raw, edit)


def test_a_mitigation_effect_outside_the_scale_is_refused(raw: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["mitigations"][2]["default_effect"] = 5

    assert "mitigation 'ihl_ihrl_training': default_effect must be a whole number from 0 to 2" in broken(raw, edit)


def test_an_unknown_field_is_refused(raw: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["sections"][2]["questions"][0]["weight"] = 2

    assert "sections 'art11'" not in broken(raw, edit)
    assert "section 'art11' questions[0]: unknown field(s) weight" in broken(raw, edit)


def test_a_bad_article_reference_is_refused(raw: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["sections"][1]["questions"][0]["article"] = "Art. 7"

    assert "question 'art7.1a.peace_security'.article: 'Art. 7' is not an article reference" in broken(raw, edit)


def test_an_external_source_needs_an_address(raw: dict[str, Any]) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["sources"][0]["url"] = "http://example.org"

    assert "source 'unsc-sanctions': an external source needs an https:// url" in broken(raw, edit)


def test_the_ratings_scale_cannot_be_edited_away_from_the_rules(raw: dict[str, Any]) -> None:
    assert "ratings: must be exactly none, low, medium, high, very_high" in broken(raw, lambda d: d["ratings"].pop())
    message = broken(raw, lambda d: d["ratings"][4]["label"].pop("es"))
    assert message.endswith("rating 'very_high'.label.es: missing or empty translation")


def test_a_language_beyond_en_and_es_must_then_be_complete(raw: dict[str, Any]) -> None:
    assert "title.pt: missing or empty translation" in broken(raw, lambda d: d["languages"].append("pt"))


def test_the_version_must_be_a_whole_number(raw: dict[str, Any]) -> None:
    assert "version: must be a whole number from 1" in broken(raw, lambda d: d.update(version="1"))


def test_an_edited_copy_of_a_new_version_can_be_checked_before_it_ships(tmp_path: Path, raw: dict[str, Any]) -> None:
    raw["version"] = 2
    path = tmp_path / "question_bank_v2.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert questionbank.load_path(path).version == 2


def test_invalid_json_and_oversized_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(QuestionBankError, match="not valid JSON"):
        questionbank.loads("{", origin="edited.json")
    with pytest.raises(QuestionBankError, match="larger than"):
        questionbank.loads(b" " * (questionbank.MAX_BYTES + 1))
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (questionbank.MAX_BYTES + 10))
    with pytest.raises(QuestionBankError, match=r"big\.json: larger than"):
        questionbank.load_path(big)
    with pytest.raises(QuestionBankError, match="top level: must be an object"):
        questionbank.loads("[]")
