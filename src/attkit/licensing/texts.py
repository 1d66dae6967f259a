"""Translations of what the pure modules say in English: workflow refusals, events and automatic flags."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attkit.licensing import flags, workflow
from attkit.licensing.models import PARTY_ROLE_LABELS, STATE_LABELS

E = workflow.Event

EVENT_LABELS: Mapping[workflow.Event, Promise] = {
    E.SUBMIT: gettext_lazy("submit the application"),
    E.START_SCREENING: gettext_lazy("start screening"),
    E.SCREENING_CLEAR: gettext_lazy("clear screening"),
    E.REQUEST_INFORMATION: gettext_lazy("request information from the applicant"),
    E.INFORMATION_PROVIDED: gettext_lazy("provide the requested information"),
    E.PROPOSE_DECISION: gettext_lazy("propose a decision"),
    E.COUNTERSIGN_AGREE: gettext_lazy("countersign the decision"),
    E.COUNTERSIGN_DISAGREE: gettext_lazy("return the decision for reassessment"),
    E.ISSUE_LICENCE: gettext_lazy("issue the licence"),
    E.RECORD_SHIPMENT: gettext_lazy("record a shipment"),
    E.EXHAUST: gettext_lazy("mark the licence exhausted"),
    E.EXPIRE: gettext_lazy("mark the licence expired"),
    E.SUSPEND: gettext_lazy("suspend the licence"),
    E.REINSTATE: gettext_lazy("reinstate the licence"),
    E.REVOKE: gettext_lazy("revoke the licence"),
    E.WITHDRAW: gettext_lazy("withdraw the application"),
}

# What a case page says happened, one line per recorded event.
EVENT_DONE: Mapping[str, Promise] = {
    E.SUBMIT.value: gettext_lazy("Application submitted"),
    E.START_SCREENING.value: gettext_lazy("Screening started and automatic flags raised"),
    E.SCREENING_CLEAR.value: gettext_lazy("Screening cleared; consultation and assessment started"),
    E.REQUEST_INFORMATION.value: gettext_lazy("Information requested from the applicant"),
    E.INFORMATION_PROVIDED.value: gettext_lazy("Information provided by the applicant"),
    E.PROPOSE_DECISION.value: gettext_lazy("Decision proposed"),
    E.COUNTERSIGN_AGREE.value: gettext_lazy("Decision countersigned"),
    E.COUNTERSIGN_DISAGREE.value: gettext_lazy("Decision returned: the supervisor disagreed"),
    E.ISSUE_LICENCE.value: gettext_lazy("Licence issued and sealed"),
    E.RECORD_SHIPMENT.value: gettext_lazy("Shipment recorded"),
    E.EXHAUST.value: gettext_lazy("Licence exhausted"),
    E.EXPIRE.value: gettext_lazy("Licence expired"),
    E.SUSPEND.value: gettext_lazy("Licence suspended"),
    E.REINSTATE.value: gettext_lazy("Licence reinstated"),
    E.REVOKE.value: gettext_lazy("Licence revoked"),
    E.WITHDRAW.value: gettext_lazy("Application withdrawn"),
}

ROLE_LABELS: Mapping[workflow.Role, Promise] = {
    workflow.Role.APPLICANT: gettext_lazy("the applicant"),
    workflow.Role.LICENSING_OFFICER: gettext_lazy("a licensing officer"),
    workflow.Role.SUPERVISOR: gettext_lazy("a supervisor"),
    workflow.Role.CUSTOMS_OFFICER: gettext_lazy("a customs officer"),
    workflow.Role.SYSTEM: gettext_lazy("the system"),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state)).lower()


def event_label(event: workflow.Event | str) -> str:
    return str(EVENT_LABELS[workflow.Event(event)])


def transition_message(exc: workflow.IllegalTransition, state: workflow.State, event: workflow.Event) -> str:
    """The refusal of the workflow in the user's language."""
    code = exc.code
    action = event_label(event)
    if code == "not_allowed_in_state":
        allowed = ", ".join(event_label(e) for e in workflow.allowed_events(state)) or _("nothing (the case is closed)")
        return _("You cannot %(action)s while the case is %(state)s. Possible now: %(allowed)s.") % {
            "action": action,
            "state": state_label(state.value),
            "allowed": allowed,
        }
    if code == "role_not_permitted":
        roles = ", ".join(sorted(str(ROLE_LABELS[r]) for r in workflow.EVENT_ROLES[event]))
        return _("Your role cannot %(action)s; that is for %(roles)s.") % {"action": action, "roles": roles}
    if code == "reason_required":
        return _("Give a reason to %(action)s.") % {"action": action}
    if code == "blocking_flags":
        return _(
            "You cannot %(action)s while blocking flags are unresolved: %(flags)s. A supervisor must resolve them."
        ) % {"action": action, "flags": ", ".join(flag_title(c) for c in exc.params.get("flags", "").split(", "))}
    if code == "assessment_missing":
        return _("An approval needs a completed risk assessment (Arts 6, 7 and 11).")
    if code == "contrary_to_assessment":
        return _("The assessment requires this case to be refused (%(grounds)s); it cannot be approved.") % {
            "grounds": exc.params.get("grounds", "")
        }
    if code == "own_decision":
        return _("You cannot countersign your own decision.")
    if code == "actor_unknown":
        return _("Both the proposing officer and the countersigning supervisor must be identified.")
    if code == "outcome_missing":
        return _("State the proposed decision: approve or refuse.")
    if code == "resume_state_invalid":
        return _("The case cannot tell which status to return to; ask a supervisor.")
    return _("This action is not possible now.")


FLAG_TITLES: Mapping[str, Promise] = {
    flags.FlagCode.UN_EMBARGO.value: gettext_lazy("UN arms embargo"),
    flags.FlagCode.UN_EMBARGO_PARTIAL.value: gettext_lazy("Partial UN arms embargo"),
    flags.FlagCode.UN_EMBARGO_NON_STATE_ACTOR.value: gettext_lazy("UN arms embargo on non-state actors"),
    flags.FlagCode.UN_EMBARGO_STATE_RECIPIENT.value: gettext_lazy("UN embargo: government recipient"),
    flags.FlagCode.UN_EMBARGO_LISTED_ONLY.value: gettext_lazy("UN embargo on listed persons"),
    flags.FlagCode.EMBARGO_TRANSIT.value: gettext_lazy("Transit through an embargoed country"),
    flags.FlagCode.OTHER_EMBARGO.value: gettext_lazy("Other arms embargo"),
    flags.FlagCode.SCREENING_HITS_PENDING.value: gettext_lazy("Screening hits to review"),
    flags.FlagCode.EUC_MISSING.value: gettext_lazy("End-user certificate missing"),
    flags.FlagCode.EUC_INVALID.value: gettext_lazy("End-user certificate not valid"),
    flags.FlagCode.EUC_REVOKED.value: gettext_lazy("End-user certificate revoked"),
    flags.FlagCode.EUC_QUANTITY_EXCEEDED.value: gettext_lazy("Quantities beyond the end-user certificate"),
    flags.FlagCode.EUC_END_USER_MISMATCH.value: gettext_lazy("Another end user on the certificate"),
    flags.FlagCode.DENIAL_SAME_END_USER.value: gettext_lazy("Earlier denial: same end user"),
    flags.FlagCode.DENIAL_SAME_DESTINATION.value: gettext_lazy("Earlier denial: same destination"),
    flags.FlagCode.QUANTITY_DISPROPORTIONATE.value: gettext_lazy("Quantity out of proportion"),
    flags.FlagCode.QUANTITY_FIRST_IMPORT.value: gettext_lazy("Large first import"),
}

FLAG_TEMPLATES: Mapping[str, Promise] = {
    flags.FlagCode.UN_EMBARGO.value: gettext_lazy(
        "A UN arms embargo (%(reference)s) applies to %(country)s, the country of the %(roles)s: "
        "the transfer is prohibited."
    ),
    flags.FlagCode.UN_EMBARGO_PARTIAL.value: gettext_lazy(
        "A partial UN arms embargo (%(reference)s) applies to %(country)s, the country of the %(roles)s: "
        "the transfer is prohibited unless one of the embargo's exemptions applies and is recorded."
    ),
    flags.FlagCode.UN_EMBARGO_NON_STATE_ACTOR.value: gettext_lazy(
        "The UN arms embargo on non-state actors in %(country)s (%(reference)s) covers the %(roles)s, "
        "which is not a state body."
    ),
    flags.FlagCode.UN_EMBARGO_STATE_RECIPIENT.value: gettext_lazy(
        "A UN arms embargo on non-state actors in %(country)s (%(reference)s) exempts the government; "
        "check the sanctions committee's notification or approval requirements for the %(roles)s."
    ),
    flags.FlagCode.UN_EMBARGO_LISTED_ONLY.value: gettext_lazy(
        "A UN arms embargo on listed persons and entities in %(country)s (%(reference)s) applies: "
        "every party must be screened against the sanctions list."
    ),
    flags.FlagCode.EMBARGO_TRANSIT.value: gettext_lazy(
        "The transit route crosses %(country)s, which is under an arms embargo (%(reference)s)."
    ),
    flags.FlagCode.OTHER_EMBARGO.value: gettext_lazy(
        "An arms embargo imposed by %(imposed_by)s (%(reference)s) applies to %(country)s, the country of the "
        "%(roles)s."
    ),
    flags.FlagCode.SCREENING_HITS_PENDING.value: gettext_lazy(
        "%(count)s screening hit(s) on the parties are not yet reviewed."
    ),
    flags.FlagCode.EUC_MISSING.value: gettext_lazy("No end-user certificate is attached to this application."),
    flags.FlagCode.EUC_INVALID.value: gettext_lazy("The end-user certificate %(serial)s did not verify: %(verdict)s."),
    flags.FlagCode.EUC_REVOKED.value: gettext_lazy(
        "The end-user certificate %(serial)s has been revoked by its issuing authority."
    ),
    flags.FlagCode.EUC_QUANTITY_EXCEEDED.value: gettext_lazy(
        "The application asks for %(requested)s of category %(category)s; the end-user certificate %(serial)s "
        "still covers %(remaining)s."
    ),
    flags.FlagCode.EUC_END_USER_MISMATCH.value: gettext_lazy(
        "The end user on the certificate %(serial)s (%(euc_end_user)s, %(euc_country)s) is not the end user of "
        "the application (%(end_user)s, %(country)s)."
    ),
    flags.FlagCode.DENIAL_SAME_END_USER.value: gettext_lazy(
        "Earlier refusals or denial notices concern the same end user %(end_user)s: %(references)s."
    ),
    flags.FlagCode.DENIAL_SAME_DESTINATION.value: gettext_lazy(
        "Earlier refusals or denial notices concern the same destination %(country)s: %(references)s."
    ),
    flags.FlagCode.QUANTITY_DISPROPORTIONATE.value: gettext_lazy(
        "The quantity of category %(category)s (%(requested)s) is more than %(ratio)s times the end user's "
        "largest past import of it (%(largest)s)."
    ),
    flags.FlagCode.QUANTITY_FIRST_IMPORT.value: gettext_lazy(
        "The end user has no recorded import of category %(category)s, and asks for %(requested)s "
        "(more than %(threshold)s)."
    ),
}

_ROLE_WORDS: Mapping[str, Promise] = {
    "destination": gettext_lazy("destination"),
    **dict(PARTY_ROLE_LABELS),
}

VERDICT_WORDS: Mapping[str, Promise] = {
    "not_verified": gettext_lazy("no seal was given to verify it"),
    "other_serial": gettext_lazy("the seal belongs to another certificate"),
}


def flag_title(code: str) -> str:
    return str(FLAG_TITLES.get(code, code))


def _roles(text: str) -> str:
    words = [w.strip().replace(" ", "_") for w in text.split(",") if w.strip()]
    return ", ".join(str(_ROLE_WORDS.get(w, w.replace("_", " "))).lower() for w in words)


def _verdict(text: str) -> str:
    key = text.strip().replace(" ", "_")
    if key in VERDICT_WORDS:
        return str(VERDICT_WORDS[key])
    try:
        from attkit.seals.verification import VERDICT_TITLES, Verdict

        return str(VERDICT_TITLES[Verdict(key)]).lower()
    except (ImportError, ValueError, KeyError):
        return text


def flag_message(code: str, params: Mapping[str, str]) -> str:
    """A stored flag's message in the user's language."""
    values = {k: str(v) for k, v in params.items()}
    if "roles" in values:
        values["roles"] = _roles(values["roles"])
    if "verdict" in values:
        values["verdict"] = _verdict(values["verdict"])
    if values.get("reference") == "no reference recorded":
        values["reference"] = _("no reference recorded")
    template = FLAG_TEMPLATES.get(code)
    if template is None:
        return code
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return flag_title(code)


# Refusal criteria, coded as rules.REFUSAL_REASONS, in the user's language (decision forms, letters, notices).
CRITERION_LABELS: Mapping[str, Promise] = {
    "ATT-6.1": gettext_lazy(
        "Art. 6(1): prohibited by measures of the UN Security Council under Chapter VII, in particular arms embargoes"
    ),
    "ATT-6.2": gettext_lazy("Art. 6(2): prohibited by the state's other international obligations"),
    "ATT-6.3": gettext_lazy(
        "Art. 6(3): knowledge that the items would be used in genocide, crimes against humanity, grave breaches "
        "of the Geneva Conventions of 1949, attacks against civilians or other war crimes"
    ),
    "ATT-7.1.a": gettext_lazy("Art. 7(1)(a) and 7(3): overriding risk of undermining peace and security"),
    "ATT-7.1.b.i": gettext_lazy(
        "Art. 7(1)(b)(i) and 7(3): overriding risk of a serious violation of international humanitarian law"
    ),
    "ATT-7.1.b.ii": gettext_lazy(
        "Art. 7(1)(b)(ii) and 7(3): overriding risk of a serious violation of international human rights law"
    ),
    "ATT-7.1.b.iii": gettext_lazy(
        "Art. 7(1)(b)(iii) and 7(3): overriding risk of an offence under the conventions relating to terrorism"
    ),
    "ATT-7.1.b.iv": gettext_lazy(
        "Art. 7(1)(b)(iv) and 7(3): overriding risk of an offence under the conventions relating to "
        "transnational organised crime"
    ),
    "ATT-7.4": gettext_lazy(
        "Art. 7(4): risk of serious acts of gender-based violence or of violence against women and children"
    ),
    "ATT-11": gettext_lazy("Art. 11: risk of diversion"),
}


def criterion_label(code: str) -> str:
    return str(CRITERION_LABELS.get(code, code))
