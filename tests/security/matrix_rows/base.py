"""What a matrix row says, and the objects of organisation A ("own") and B ("other") that rows address."""

from __future__ import annotations

from dataclasses import dataclass, field

from iptriad.accounts.models import Membership, Organisation, Role
from iptriad.accounts.tokens import token_hash
from iptriad.datarights.models import ExportFormat, ExportReason, ExportRequest
from iptriad.fidelity.models import FidelityRating
from iptriad.measures.models import SelfReportLink
from iptriad.notifications.models import ScheduledLink
from iptriad.outcomes.models import Programme
from tests.competency.factories import CompetencyRecords, competency_records
from tests.conftest import Personas
from tests.courses.factories import CourseRecords, full_course, termination_records
from tests.fidelity.factories import self_rating
from tests.groups.factories import GroupRecords, group_records
from tests.measures.factories import ClinicalObjects, clinical_objects
from tests.supervision.factories import SupervisionRecords, supervision_records

A, S, T, F = Role.ADMIN, Role.SUPERVISOR, Role.THERAPIST, Role.FACILITATOR


@dataclass(frozen=True)
class Row:
    """What each role gets from one URL.

    `target` names the object the URL addresses ("" for none; see MatrixObjects.target): organisation A's on
    the "own" side, organisation B's on the "other" side, where every role must get 404.
    """

    method: str
    expected: dict[Role, int]
    target: str = ""
    anonymous: int = 302  # to the login page
    form: dict[str, str] = field(default_factory=dict)
    query: str = ""
    public: bool = False  # the same answer for everyone, logged in or not, own or other organisation


def statuses(admin: int, supervisor: int, therapist: int, facilitator: int) -> dict[Role, int]:
    return {A: admin, S: supervisor, T: therapist, F: facilitator}


EVERYONE_OK = statuses(200, 200, 200, 200)
CLINICAL_OBJECT = statuses(404, 200, 200, 404)  # scores, risk and courses: clinicians only
CLINICAL_ACTION = statuses(404, 302, 302, 404)  # a POST that redirects on success or on a refusal
CLINICAL_PAGES = statuses(403, 200, 200, 403)


@dataclass(frozen=True)
class MatrixObjects:
    clinical: ClinicalObjects
    course_a: CourseRecords
    course_b: CourseRecords
    export_a: ExportRequest  # pending, asked by the organisation's administrator
    export_b: ExportRequest
    # Organisation A's group is led by facilitator_a and supervised by therapist_a (its supervising clinician);
    # organisation B's by therapist_b.
    groups_a: GroupRecords
    groups_b: GroupRecords
    # Organisation A's meeting reviews course_a, attended by therapist_a, who owns its open action.
    supervision_a: SupervisionRecords
    supervision_b: SupervisionRecords
    # Fidelity: therapist_a's (therapist_b's) self-rating of their course's session 1.
    fidelity_a: FidelityRating
    fidelity_b: FidelityRating
    # therapist_a's competency record (a training, a certification); organisation B's is therapist_b's.
    competency_a: CompetencyRecords
    competency_b: CompetencyRecords
    # A programme of organisation A alone (B alone), led by nobody of the matrix: a programme is addressed by slug.
    programme_a: Programme
    programme_b: Programme

    def target(self, name: str, own: bool, personas: Personas) -> int | str:
        if name == "stop_token":
            return stop_token(self.clinical.link_a if own else self.clinical.link_b)
        if name == "membership":  # read only when asked: the other rows pay no query for it
            user, organisation = (
                (personas.therapist_a2, personas.org_a) if own else (personas.therapist_b, personas.org_b)
            )
            return Membership.objects.get(user=user, organisation=organisation).pk
        clinical = self.clinical
        course = self.course_a if own else self.course_b
        targets: dict[str, int | str] = {
            "client": (personas.client_a if own else personas.client_b).pk,
            "administration": (clinical.administration_a if own else clinical.administration_b).pk,
            "link": (clinical.link_a if own else clinical.link_b).pk,
            "alert": (clinical.alert_a if own else clinical.alert_b).pk,
            "token": clinical.token_a if own else clinical.token_b,
            "course": course.course.pk,
            "person": course.person.pk,
            "event": course.event.pk,
            "problem_area": course.problem_area.pk,
            "goal": course.goal.pk,
            "session": course.session.pk,
            "export_request": (self.export_a if own else self.export_b).pk,
        }
        groups = self.groups_a if own else self.groups_b
        targets |= {
            "site": groups.site.pk,
            "group_template": groups.template.pk,
            "group": groups.group.pk,
            "group_member": groups.member.pk,
            "group_session": groups.session.pk,
            "referral": groups.referral.pk,
            "outreach": groups.outreach.pk,
        }
        supervision = self.supervision_a if own else self.supervision_b
        targets |= {"supervision_entry": supervision.entry.pk, "supervision_action": supervision.action.pk}
        targets["fidelity_rating"] = (self.fidelity_a if own else self.fidelity_b).pk
        competency = self.competency_a if own else self.competency_b
        targets |= {
            "competency_member": competency.membership.pk,
            "competency_training": competency.training.pk,
            "competency_certification": competency.certification.pk,
        }
        targets["programme"] = (self.programme_a if own else self.programme_b).slug
        return targets[name]


def stop_token(link: SelfReportLink) -> str:
    """The opt-out token of the messages about the link (its scheduled link's row, made with the objects)."""
    return f"matrix-stop-{link.pk}"


def _scheduled(link: SelfReportLink, context_id: int) -> None:
    ScheduledLink.objects.create(
        organisation_id=link.organisation_id,
        client_id=link.client_id,
        context_id=context_id,
        link=link,
        instrument_code=link.instrument_code,
        session_number=1,
        session_at=link.expires_at,
        channel="email",
        stop_token_hash=token_hash(stop_token(link)),
    )


def matrix_objects(personas: Personas) -> MatrixObjects:
    clinical = clinical_objects(personas)
    course_a = full_course(personas.client_a, personas.therapist_a)
    course_b = full_course(personas.client_b, personas.therapist_b)
    termination_records(course_a.course)
    termination_records(course_b.course)
    _scheduled(clinical.link_a, course_a.course.treatment_context_id)
    _scheduled(clinical.link_b, course_b.course.treatment_context_id)
    export_a, export_b = (
        ExportRequest.objects.create(
            organisation_id=client.organisation_id,
            client=client,
            export_format=ExportFormat.JSON,
            reason=ExportReason.CLIENT_REQUEST,
            requested_by=admin,
        )
        for client, admin in ((personas.client_a, personas.admin_a), (personas.client_b, personas.admin_b))
    )
    groups_a = group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="A-GRP-1"
    )
    groups_b = group_records(
        personas.org_b, facilitator=personas.therapist_b, supervisor=personas.therapist_b, identifier="B-GRP-1"
    )
    fidelity_a, fidelity_b = (
        self_rating(records.session, therapist)
        for records, therapist in ((course_a, personas.therapist_a), (course_b, personas.therapist_b))
    )
    return MatrixObjects(
        clinical=clinical,
        course_a=course_a,
        course_b=course_b,
        export_a=export_a,
        export_b=export_b,
        groups_a=groups_a,
        groups_b=groups_b,
        supervision_a=supervision_records(course_a.course, supervisor=personas.supervisor_a),
        supervision_b=supervision_records(course_b.course, supervisor=personas.therapist_b),
        fidelity_a=fidelity_a,
        fidelity_b=fidelity_b,
        competency_a=competency_records(personas.therapist_a, personas.org_a),
        competency_b=competency_records(personas.therapist_b, personas.org_b),
        programme_a=_programme(personas.org_a),
        programme_b=_programme(personas.org_b),
    )


def _programme(organisation: Organisation) -> Programme:
    programme = Programme.objects.create(slug=f"matrix-{organisation.slug}", name=f"{organisation.name} programme")
    programme.organisations.add(organisation)
    return programme
