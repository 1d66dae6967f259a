"""When the treaty requires a refusal, whatever anyone prefers: Art. 6 gates, residual risk and refusal codes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Outcome(StrEnum):
    """A licensing decision."""

    APPROVE = "approve"
    REFUSE = "refuse"


class Rating(StrEnum):
    """How likely and how serious a negative consequence is, for one criterion."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"

    @property
    def level(self) -> int:
        """0 for none up to 4 for very high, so that ratings compare and step."""
        return _RATING_ORDER.index(self)

    @classmethod
    def from_level(cls, level: int) -> Rating:
        """The rating at `level`, clamped to the scale."""
        return _RATING_ORDER[max(0, min(level, len(_RATING_ORDER) - 1))]


_RATING_ORDER: tuple[Rating, ...] = tuple(Rating)


class Criterion(StrEnum):
    """What an assessment question feeds: an Art. 6 gate or an Art. 7 / Art. 11 criterion.

    The value is the treaty provision; the refusal code is "ATT-" + value.
    """

    UNSC_MEASURES = "6.1"  # Art. 6(1): Chapter VII measures, arms embargoes above all
    OTHER_OBLIGATIONS = "6.2"  # Art. 6(2): the state's other international obligations
    ATROCITY_CRIMES = "6.3"  # Art. 6(3): knowledge of genocide, crimes against humanity, war crimes
    PEACE_AND_SECURITY = "7.1.a"  # Art. 7(1)(a): contribute to or undermine peace and security
    IHL = "7.1.b.i"  # Art. 7(1)(b)(i): serious violation of international humanitarian law
    IHRL = "7.1.b.ii"  # Art. 7(1)(b)(ii): serious violation of international human rights law
    TERRORISM = "7.1.b.iii"  # Art. 7(1)(b)(iii): offence under terrorism conventions
    ORGANISED_CRIME = "7.1.b.iv"  # Art. 7(1)(b)(iv): offence under organised-crime conventions
    GENDER_BASED_VIOLENCE = "7.4"  # Art. 7(4): gender-based violence, violence against women and children
    DIVERSION = "11"  # Art. 11: diversion (proportionality questions feed it too)

    @property
    def is_gate(self) -> bool:
        """True for the Art. 6 prohibitions, which are answered yes or no and cannot be mitigated."""
        return self in GATES

    @property
    def refusal_code(self) -> str:
        """The coded refusal reason a decision cites for this criterion, e.g. "ATT-7.1.b.ii"."""
        return f"ATT-{self.value}"


GATES: frozenset[Criterion] = frozenset(
    {Criterion.UNSC_MEASURES, Criterion.OTHER_OBLIGATIONS, Criterion.ATROCITY_CRIMES}
)
RISK_CRITERIA: tuple[Criterion, ...] = tuple(c for c in Criterion if c not in GATES)

# Residual ratings at or above this are an overriding risk (Art. 7(3), "riesgo manifiesto"):
# the assessor may find an overriding risk below it, never deny one at or above it.
OVERRIDING_RISK_THRESHOLD = Rating.HIGH

# Criteria whose residual rating at or above the threshold forces a refusal. Art. 7(3) names
# the Art. 7(1) consequences; 7(4) is weighed within the same determination; diversion (Art. 11)
# is included because diversion to criminals or terrorists is a 7(1)(b)(iii)/(iv) consequence and
# EU Criterion 7 practice denies on it. A state may pass a narrower set to `required_outcome`.
DEFAULT_FORCING_CRITERIA: frozenset[Criterion] = frozenset(RISK_CRITERIA)

# Art. 7(2) mitigation lowers a rating by its declared effect in steps, but all measures together
# lower one criterion by at most this many steps: a very high risk never becomes "none" on paper.
MAX_MITIGATION_STEPS = 2

# Diversion can be reduced, never ruled out: once any diversion risk exists, mitigation stops at low.
FLOORED_CRITERIA: frozenset[Criterion] = frozenset({Criterion.DIVERSION})

REFUSAL_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "ATT-6.1": "Prohibited by Art. 6(1): measures of the UN Security Council under Chapter VII, "
        "in particular arms embargoes.",
        "ATT-6.2": "Prohibited by Art. 6(2): the state's other international obligations.",
        "ATT-6.3": "Prohibited by Art. 6(3): knowledge that the items would be used in genocide, crimes "
        "against humanity, grave breaches of the Geneva Conventions of 1949, attacks directed against "
        "civilian objects or civilians, or other war crimes.",
        "ATT-7.1.a": "Art. 7(1)(a) and 7(3): overriding risk of undermining peace and security.",
        "ATT-7.1.b.i": "Art. 7(1)(b)(i) and 7(3): overriding risk of a serious violation of international "
        "humanitarian law.",
        "ATT-7.1.b.ii": "Art. 7(1)(b)(ii) and 7(3): overriding risk of a serious violation of international "
        "human rights law.",
        "ATT-7.1.b.iii": "Art. 7(1)(b)(iii) and 7(3): overriding risk of an offence under the conventions "
        "or protocols relating to terrorism.",
        "ATT-7.1.b.iv": "Art. 7(1)(b)(iv) and 7(3): overriding risk of an offence under the conventions "
        "or protocols relating to transnational organised crime.",
        "ATT-7.4": "Art. 7(4): risk of serious acts of gender-based violence or serious acts of violence "
        "against women and children.",
        "ATT-11": "Art. 11: risk of diversion.",
    }
)


@dataclass(frozen=True)
class Findings:
    """What an assessment found, in the terms the rules need.

    `residual` holds the rating of each Art. 7 / Art. 11 criterion after mitigation (see
    `residual_ratings`); a criterion left out counts as not rated (none). `overriding_risk` is the
    assessor's own Art. 7(3) determination, which can only add to what the ratings impose.
    """

    article6_gates: frozenset[Criterion] = frozenset()
    residual: Mapping[Criterion, Rating] = field(default_factory=dict)
    overriding_risk: bool = False

    def __post_init__(self) -> None:
        gates = frozenset(Criterion(g) for g in self.article6_gates)
        for gate in gates:
            if not gate.is_gate:
                raise ValueError(f"article6_gates: {gate.value!r} is not an Art. 6 gate")
        residual = {Criterion(c): Rating(r) for c, r in self.residual.items()}
        for criterion in residual:
            if criterion.is_gate:
                raise ValueError(f"residual: {criterion.value!r} is an Art. 6 gate, which is answered yes or no")
        # Normalised so that plain strings from a form or the database behave like the enums.
        object.__setattr__(self, "article6_gates", gates)
        object.__setattr__(self, "residual", MappingProxyType(residual))


@dataclass(frozen=True)
class Mitigation:
    """An Art. 7(2) measure applied to a case: the criteria it addresses and how many steps it lowers them."""

    kind: str
    criteria: frozenset[Criterion]
    effect: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "criteria", frozenset(Criterion(c) for c in self.criteria))
        if self.effect < 0 or self.effect > MAX_MITIGATION_STEPS:
            raise ValueError(f"mitigation {self.kind!r}: effect must be 0 to {MAX_MITIGATION_STEPS}, not {self.effect}")
        gates = sorted(c.value for c in self.criteria if Criterion(c).is_gate)
        if gates:
            raise ValueError(f"mitigation {self.kind!r}: Art. 6 prohibitions cannot be mitigated ({', '.join(gates)})")


def criterion_rating(question_ratings: Iterable[Rating]) -> Rating:
    """A criterion is as risky as its riskiest question; none when nothing was rated."""
    return max(question_ratings, key=lambda r: r.level, default=Rating.NONE)


def residual_rating(criterion: Criterion, inherent: Rating, mitigations: Iterable[Mitigation] = ()) -> Rating:
    """The rating left after the mitigations that address `criterion`.

    Each measure lowers the rating by its effect (in steps of the scale); together they lower it by
    at most MAX_MITIGATION_STEPS; a criterion in FLOORED_CRITERIA with any inherent risk stays at
    least low; a criterion with no inherent risk stays none.
    """
    criterion, inherent = Criterion(criterion), Rating(inherent)
    if criterion.is_gate:
        raise ValueError(f"{criterion.value} is an Art. 6 gate: it is answered yes or no, not rated")
    if inherent is Rating.NONE:
        return Rating.NONE
    steps = min(sum(m.effect for m in mitigations if criterion in m.criteria), MAX_MITIGATION_STEPS)
    floor = Rating.LOW.level if criterion in FLOORED_CRITERIA else Rating.NONE.level
    return Rating.from_level(max(inherent.level - steps, floor))


def residual_ratings(
    inherent: Mapping[Criterion, Rating], mitigations: Iterable[Mitigation] = ()
) -> dict[Criterion, Rating]:
    """`residual_rating` for every rated criterion."""
    measures = tuple(mitigations)
    return {c: residual_rating(c, r, measures) for c, r in inherent.items()}


def overriding_criteria(
    findings: Findings,
    *,
    threshold: Rating = OVERRIDING_RISK_THRESHOLD,
    forcing: frozenset[Criterion] = DEFAULT_FORCING_CRITERIA,
) -> frozenset[Criterion]:
    """The criteria whose residual rating is an overriding risk by themselves."""
    return frozenset(c for c, r in findings.residual.items() if c in forcing and r.level >= threshold.level)


def has_overriding_risk(
    findings: Findings,
    *,
    threshold: Rating = OVERRIDING_RISK_THRESHOLD,
    forcing: frozenset[Criterion] = DEFAULT_FORCING_CRITERIA,
) -> bool:
    """Art. 7(3): the assessor found an overriding risk, or a residual rating imposes one."""
    return findings.overriding_risk or bool(overriding_criteria(findings, threshold=threshold, forcing=forcing))


def required_outcome(
    findings: Findings,
    *,
    threshold: Rating = OVERRIDING_RISK_THRESHOLD,
    forcing: frozenset[Criterion] = DEFAULT_FORCING_CRITERIA,
) -> Outcome | None:
    """The outcome the treaty imposes, or None where the authority may decide.

    Any Art. 6 gate answered yes prohibits the transfer; an overriding risk after mitigation
    (Art. 7(3)) forbids the export.
    """
    if findings.article6_gates or has_overriding_risk(findings, threshold=threshold, forcing=forcing):
        return Outcome.REFUSE
    return None


def can_countersign(proposed: Outcome, findings: Findings) -> bool:
    """False when the proposed decision is contrary to what the assessment requires."""
    required = required_outcome(findings)
    return required is None or Outcome(proposed) is required


def criteria_relied_on(
    findings: Findings,
    *,
    threshold: Rating = OVERRIDING_RISK_THRESHOLD,
    forcing: frozenset[Criterion] = DEFAULT_FORCING_CRITERIA,
) -> frozenset[Criterion]:
    """The criteria a refusal must cite at least: every gate answered yes and every overriding criterion."""
    return findings.article6_gates | overriding_criteria(findings, threshold=threshold, forcing=forcing)


def refusal_codes(criteria: Iterable[Criterion]) -> tuple[str, ...]:
    """Coded refusal reasons ("ATT-6.1", "ATT-7.1.b.ii", ...) in treaty order."""
    chosen = {Criterion(c) for c in criteria}
    return tuple(c.refusal_code for c in Criterion if c in chosen)


def criterion_for_code(code: str) -> Criterion:
    """The criterion behind a refusal code; ValueError naming the code when it is unknown."""
    for criterion in Criterion:
        if criterion.refusal_code == code:
            return criterion
    raise ValueError(f"unknown refusal code {code!r}; known codes: {', '.join(REFUSAL_REASONS)}")


def decision_problems(outcome: Outcome, relied_on: Iterable[Criterion], findings: Findings) -> tuple[str, ...]:
    """Why a decision and the criteria it cites do not fit the assessment; empty when they do.

    A refusal cites at least one criterion, including every criterion that forced it; an approval
    cites none and is not contrary to the assessment.
    """
    cited = frozenset(Criterion(c) for c in relied_on)
    problems: list[str] = []
    if Outcome(outcome) is Outcome.APPROVE:
        if cited:
            problems.append("An approval does not cite refusal criteria.")
        if not can_countersign(Outcome.APPROVE, findings):
            problems.append("The assessment requires this case to be refused.")
        return tuple(problems)
    if not cited:
        problems.append("A refusal must cite at least one criterion.")
    missing = refusal_codes(criteria_relied_on(findings) - cited)
    if missing:
        problems.append(f"The refusal must also cite {', '.join(missing)}, which the assessment found.")
    return tuple(problems)
