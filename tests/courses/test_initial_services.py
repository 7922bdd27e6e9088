"""The initial part of a course: the services that write the assessment, inventory, timeline and triad."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import Phase
from iptriad.courses.models import Assessment, Course, InventoryPerson, TimelineEvent, Triad
from iptriad.courses.services import initial
from iptriad.courses.services.course import ERROR_NOT_OPEN
from iptriad.courses.services.initial import (
    AssessmentDetails,
    EventDetails,
    PersonDetails,
    TriadDetails,
    assessment_save,
    inventory_person_create,
    inventory_person_delete,
    inventory_person_update,
    risk_alert_needed,
    timeline_event_create,
    timeline_event_delete,
    timeline_event_update,
    triad_save,
)
from tests.conftest import Personas, make_client
from tests.courses.factories import OPENED, make_course

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
CONTENT = "Sensitive words that must never reach the audit trail"


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def course(personas) -> Course:
    return make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL)


@pytest.fixture
def therapist(personas):
    return personas.actor(personas.therapist_a)


@pytest.fixture
def other_course(personas) -> Course:
    """Another course of the same therapist, for people that belong elsewhere."""
    client = make_client(personas.org_a, "A-0002", personas.therapist_a, given_name="Dana")
    return make_course(client, personas.therapist_a, phase=Phase.INITIAL)


def close(course: Course) -> None:
    Course.objects.filter(pk=course.pk).update(phase=Phase.CLOSED, closed_on=TODAY, end_reason="completed")
    course.refresh_from_db()


def person(course: Course, name: str = "Sam", **fields: object) -> InventoryPerson:
    return InventoryPerson.objects.create(
        organisation_id=course.organisation_id, course=course, name=name, relationship="partner", **fields
    )


def event(course: Course, **fields: object) -> TimelineEvent:
    values: dict[str, object] = {"occurred_on": dt.date(2026, 5, 1), "kind": "life_event", "description": "Moved"}
    values.update(fields)
    return TimelineEvent.objects.create(organisation_id=course.organisation_id, course=course, **values)


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def saved_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.COURSE_RECORD_SAVED).order_by("pk"))


def snapshot() -> tuple[int, ...]:
    """Everything the initial services write, to prove a refusal wrote nothing."""
    return (
        Assessment.objects.count(),
        InventoryPerson.objects.count(),
        TimelineEvent.objects.count(),
        Triad.objects.count(),
        Triad.support_people.through.objects.count(),
        AuditEvent.objects.count(),
    )


def refused_roles(personas: Personas) -> list[Actor]:
    return [
        personas.actor(personas.therapist_a2),  # a colleague: not their client's course
        personas.actor(personas.admin_a),
        personas.actor(personas.facilitator_a),
        personas.actor(personas.therapist_b, personas.org_b),
    ]


class TestAssessment:
    def test_it_records_the_assessment_and_audits_field_names_only(self, course, therapist, personas):
        details = AssessmentDetails(
            presenting_problems=CONTENT,
            diagnosis_code=" F32.1 ",
            diagnosis_label="Moderate depressive episode",
            suicide_risk_screen="low",
            assessed_on=OPENED,
            sick_role_given_on=OPENED + dt.timedelta(days=7),
            psychoeducation_given_on=TODAY,
        )
        assessment = assessment_save(actor=therapist, course=course, details=details)
        assert assessment.course == course
        assert assessment.organisation == personas.org_a
        assert assessment.diagnosis_code == "F32.1"
        assert assessment.has_diagnosis
        (audit,) = saved_events()
        assert (audit.actor, audit.object_type) == (personas.therapist_a, "assessment")
        assert audit.object_id == str(assessment.pk)
        assert audit.detail == {
            "course": course.pk,
            "fields": [
                "presenting_problems",
                "diagnosis_code",
                "diagnosis_label",
                "suicide_risk_screen",
                "assessed_on",
                "sick_role_given_on",
                "psychoeducation_given_on",
            ],
        }
        assert CONTENT not in str(audit.detail)

    def test_it_updates_the_one_assessment_of_the_course_and_audits_what_changed(self, course, therapist):
        first = assessment_save(actor=therapist, course=course, details=AssessmentDetails(diagnosis_code="F32.1"))
        second = assessment_save(
            actor=therapist, course=course, details=AssessmentDetails(diagnosis_code="F32.1", medication="Sertraline")
        )
        assert second.pk == first.pk
        assert Assessment.objects.get().medication == "Sertraline"
        assert saved_events()[-1].detail == {"course": course.pk, "fields": ["medication"]}

    def test_saving_without_a_change_audits_nothing(self, course, therapist):
        details = AssessmentDetails(diagnosis_code="F32.1")
        assessment_save(actor=therapist, course=course, details=details)
        assessment_save(actor=therapist, course=course, details=details)
        assert len(saved_events()) == 1

    def test_a_supervisor_may_record_it(self, course, personas):
        assessment_save(actor=personas.actor(personas.supervisor_a), course=course, details=AssessmentDetails())
        assert Assessment.objects.filter(course=course).exists()

    def test_it_refuses_anyone_else_and_writes_nothing(self, course, personas):
        before = snapshot()
        for actor in refused_roles(personas):
            with pytest.raises(PermissionDenied):
                assessment_save(actor=actor, course=course, details=AssessmentDetails(diagnosis_code="F32.1"))
        assert snapshot() == before

    @pytest.mark.parametrize("field", ["assessed_on", "sick_role_given_on", "psychoeducation_given_on"])
    @pytest.mark.parametrize(
        ("day", "message"),
        [
            (TODAY + dt.timedelta(days=1), initial.ERROR_DATE_IN_FUTURE),
            (OPENED - dt.timedelta(days=1), initial.ERROR_DATE_BEFORE_COURSE.format(opened="1 September 2026")),
        ],
    )
    def test_it_refuses_a_date_in_the_future_or_before_the_course(self, course, therapist, field, day, message):
        before = snapshot()
        with pytest.raises(ValidationError) as excinfo:
            assessment_save(actor=therapist, course=course, details=AssessmentDetails(**{field: day}))
        assert errors_of(excinfo) == {field: [message]}
        assert snapshot() == before

    def test_it_accepts_the_day_the_course_opened_and_today(self, course, therapist):
        details = AssessmentDetails(assessed_on=OPENED, sick_role_given_on=TODAY, psychoeducation_given_on=TODAY)
        assert assessment_save(actor=therapist, course=course, details=details).assessed_on == OPENED

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"suicide_risk_screen": "unsure"}, "suicide_risk_screen", initial.ERROR_RISK_SCREEN),
            ({"diagnosis_code": "F" * 21}, "diagnosis_code", initial.ERROR_TOO_LONG.format(limit=20)),
            ({"diagnosis_label": "x" * 201}, "diagnosis_label", initial.ERROR_TOO_LONG.format(limit=200)),
        ],
    )
    def test_it_refuses_bad_values_with_what_to_fix(self, course, therapist, changes, field, message):
        before = snapshot()
        with pytest.raises(ValidationError) as excinfo:
            assessment_save(actor=therapist, course=course, details=AssessmentDetails(**changes))
        assert errors_of(excinfo) == {field: [message]}
        assert snapshot() == before

    def test_it_refuses_a_closed_course(self, course, therapist):
        close(course)
        before = snapshot()
        with pytest.raises(ValidationError) as excinfo:
            assessment_save(actor=therapist, course=course, details=AssessmentDetails(diagnosis_code="F32.1"))
        assert excinfo.value.messages == [ERROR_NOT_OPEN]
        assert snapshot() == before

    def test_it_checks_the_course_as_stored_not_as_the_caller_holds_it(self, course, therapist):
        stale = Course.objects.get(pk=course.pk)
        close(course)
        with pytest.raises(ValidationError):
            assessment_save(actor=therapist, course=stale, details=AssessmentDetails())

    @pytest.mark.parametrize(
        ("screen", "alert"), [("", False), ("no_risk", False), ("low", False), ("moderate", True), ("high", True)]
    )
    def test_a_moderate_or_high_risk_screen_calls_for_a_risk_alert(self, screen, alert):
        assert risk_alert_needed(screen) is alert


FULL_PERSON = PersonDetails(
    name="Sam",
    relationship="partner",
    relationship_detail="Married 10 years",
    ring=1,
    angle=90.0,
    contact="Lives together",
    satisfying="Kind",
    unsatisfying="Arguments about money",
    communication="Cannot talk about work",
    knows_about_depression=True,
    feelings="Angry after arguments",
    expectations="Expects more help at home",
    support="Practical help",
    can_ask_for_support=False,
    change_since_onset="More distant",
    desired_change="Talk without arguing",
    linked_problem_area="role_dispute",
    focus_candidate=True,
)


class TestInventory:
    def test_it_adds_a_person_with_every_field_of_the_inventory(self, course, therapist):
        added = inventory_person_create(actor=therapist, course=course, details=FULL_PERSON)
        stored = InventoryPerson.objects.get(pk=added.pk)
        for field in dataclasses.fields(PersonDetails):
            assert getattr(stored, field.name) == getattr(FULL_PERSON, field.name), field.name
        assert (stored.course, stored.organisation_id) == (course, course.organisation_id)
        (audit,) = saved_events()
        assert audit.object_type == "inventoryperson"
        assert audit.detail["course"] == course.pk
        assert "Arguments about money" not in str(audit.detail)

    @pytest.mark.parametrize("ring", [1, 2, 3, 4, 5])
    def test_it_places_people_on_rings_one_to_five(self, course, therapist, ring):
        details = PersonDetails("Ali", "friend", ring=ring)
        assert inventory_person_create(actor=therapist, course=course, details=details).ring == ring

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"name": "  "}, "name", initial.ERROR_NAME_REQUIRED),
            ({"name": "x" * 101}, "name", initial.ERROR_TOO_LONG.format(limit=100)),
            ({"relationship": "enemy"}, "relationship", initial.ERROR_RELATIONSHIP),
            ({"relationship": "other", "relationship_detail": " "}, "relationship_detail",
             initial.ERROR_RELATIONSHIP_UNDESCRIBED),
            ({"relationship_detail": "x" * 101}, "relationship_detail", initial.ERROR_TOO_LONG.format(limit=100)),
            ({"ring": 0}, "ring", initial.ERROR_RING),
            ({"ring": 6}, "ring", initial.ERROR_RING),
            ({"angle": 360.0}, "angle", initial.ERROR_ANGLE),
            ({"angle": -1.0}, "angle", initial.ERROR_ANGLE),
            ({"angle": math.nan}, "angle", initial.ERROR_ANGLE),
            ({"linked_problem_area": "loneliness"}, "linked_problem_area", initial.ERROR_PROBLEM_AREA),
        ],
    )  # fmt: skip
    def test_it_refuses_bad_values_with_what_to_fix(self, course, therapist, changes, field, message):
        before = snapshot()
        with pytest.raises(ValidationError) as excinfo:
            inventory_person_create(actor=therapist, course=course, details=dataclasses.replace(FULL_PERSON, **changes))
        assert errors_of(excinfo) == {field: [message]}
        assert snapshot() == before

    def test_an_other_relationship_with_its_description_is_accepted(self, course, therapist):
        details = PersonDetails("Mrs K", "other", relationship_detail="Neighbour")
        assert inventory_person_create(actor=therapist, course=course, details=details).relationship == "other"

    def test_it_updates_a_person_and_audits_the_changed_fields(self, course, therapist):
        sam = person(course, ring=2)
        updated = inventory_person_update(
            actor=therapist, person=sam, details=PersonDetails("Sam", "partner", ring=1, support="Listens")
        )
        assert (updated.ring, updated.support) == (1, "Listens")
        assert saved_events()[-1].detail == {"course": course.pk, "fields": ["ring", "support"]}

    def test_an_update_without_a_change_audits_nothing(self, course, therapist):
        sam = person(course)
        inventory_person_update(actor=therapist, person=sam, details=PersonDetails("Sam", "partner"))
        assert saved_events() == []

    def test_it_ignores_what_a_form_left_on_the_instance_it_was_given(self, course, therapist):
        sam = person(course, ring=2)
        sam.ring = 1  # as a model form fills in its instance before the service runs
        inventory_person_update(actor=therapist, person=sam, details=PersonDetails("Sam", "partner", ring=1))
        assert saved_events()[-1].detail["fields"] == ["ring"]

    def test_removing_a_person_keeps_their_timeline_events_and_drops_them_from_the_triad(self, course, therapist):
        sam = person(course)
        linked = event(course, person=sam)
        triad = Triad.objects.create(organisation_id=course.organisation_id, course=course)
        triad.support_people.add(sam)
        person_id = sam.pk
        inventory_person_delete(actor=therapist, person=sam)
        assert not InventoryPerson.objects.filter(pk=person_id).exists()
        linked.refresh_from_db()
        assert linked.person is None
        assert list(triad.support_people.all()) == []
        audit = AuditEvent.objects.get(action=AuditAction.COURSE_RECORD_DELETED)
        assert (audit.object_type, audit.object_id, audit.detail) == (
            "inventoryperson",
            str(person_id),
            {"course": course.pk},
        )

    def test_it_refuses_anyone_else_and_writes_nothing(self, course, personas):
        sam = person(course)
        before = snapshot()
        for actor in refused_roles(personas):
            with pytest.raises(PermissionDenied):
                inventory_person_create(actor=actor, course=course, details=FULL_PERSON)
            with pytest.raises(PermissionDenied):
                inventory_person_update(actor=actor, person=sam, details=FULL_PERSON)
            with pytest.raises(PermissionDenied):
                inventory_person_delete(actor=actor, person=sam)
        assert snapshot() == before

    def test_a_closed_courses_inventory_cannot_change(self, course, therapist):
        sam = person(course)
        close(course)
        before = snapshot()
        for write in (
            lambda: inventory_person_create(actor=therapist, course=course, details=FULL_PERSON),
            lambda: inventory_person_update(actor=therapist, person=sam, details=FULL_PERSON),
            lambda: inventory_person_delete(actor=therapist, person=sam),
        ):
            with pytest.raises(ValidationError) as excinfo:
                write()
            assert excinfo.value.messages == [ERROR_NOT_OPEN]
        assert snapshot() == before

    def test_it_refuses_a_person_removed_in_the_meantime(self, course, therapist):
        sam = person(course)
        InventoryPerson.objects.filter(pk=sam.pk).delete()
        with pytest.raises(ValidationError) as excinfo:
            inventory_person_update(actor=therapist, person=sam, details=FULL_PERSON)
        assert excinfo.value.messages == [initial.ERROR_RECORD_GONE]


class TestTimeline:
    def test_it_adds_an_event_about_a_person_of_the_inventory(self, course, therapist):
        sam = person(course)
        details = EventDetails(occurred_on=dt.date(2026, 3, 1), kind="symptom_onset", description=CONTENT, person=sam)
        added = timeline_event_create(actor=therapist, course=course, details=details)
        assert (added.course, added.person, added.kind) == (course, sam, "symptom_onset")
        (audit,) = saved_events()
        assert audit.detail == {"course": course.pk, "fields": ["occurred_on", "kind", "description", "person"]}

    def test_events_may_come_before_the_course_and_on_the_day_of_birth(self, course, therapist, personas):
        born = personas.client_a.date_of_birth
        details = EventDetails(occurred_on=born, kind="life_event", description="Born")
        assert timeline_event_create(actor=therapist, course=course, details=details).occurred_on == born

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"occurred_on": TODAY + dt.timedelta(days=1)}, "occurred_on", initial.ERROR_EVENT_IN_FUTURE),
            ({"occurred_on": dt.date(1990, 3, 31)}, "occurred_on", initial.ERROR_EVENT_BEFORE_BIRTH),
            ({"kind": "holiday"}, "kind", initial.ERROR_EVENT_KIND),
            ({"description": " \n "}, "description", initial.ERROR_DESCRIPTION_REQUIRED),
        ],
    )
    def test_it_refuses_bad_values_with_what_to_fix(self, course, therapist, changes, field, message):
        details = EventDetails(occurred_on=dt.date(2026, 5, 1), kind="life_event", description="Moved city")
        before = snapshot()
        with pytest.raises(ValidationError) as excinfo:
            timeline_event_create(actor=therapist, course=course, details=dataclasses.replace(details, **changes))
        assert errors_of(excinfo) == {field: [message]}
        assert snapshot() == before

    def test_it_refuses_a_person_of_another_course(self, course, other_course, therapist):
        stranger = person(other_course, "Dana's friend")
        mine = event(course)
        details = EventDetails(occurred_on=dt.date(2026, 5, 1), kind="life_event", description="x", person=stranger)
        before = snapshot()
        with pytest.raises(ValidationError) as excinfo:
            timeline_event_create(actor=therapist, course=course, details=details)
        assert errors_of(excinfo) == {"person": [initial.ERROR_PERSON_OTHER_COURSE]}
        with pytest.raises(ValidationError):
            timeline_event_update(actor=therapist, event=mine, details=details)
        assert snapshot() == before

    def test_it_updates_and_removes_an_event(self, course, therapist):
        moved = event(course)
        details = EventDetails(occurred_on=dt.date(2026, 5, 1), kind="life_event", description="Moved to Leeds")
        timeline_event_update(actor=therapist, event=moved, details=details)
        assert TimelineEvent.objects.get(pk=moved.pk).description == "Moved to Leeds"
        assert saved_events()[-1].detail == {"course": course.pk, "fields": ["description"]}
        event_id = moved.pk
        timeline_event_delete(actor=therapist, event=moved)
        assert not TimelineEvent.objects.filter(pk=event_id).exists()
        audit = AuditEvent.objects.get(action=AuditAction.COURSE_RECORD_DELETED)
        assert (audit.object_type, audit.object_id) == ("timelineevent", str(event_id))

    def test_it_refuses_anyone_else_and_a_closed_course(self, course, therapist, personas):
        moved = event(course)
        details = EventDetails(occurred_on=dt.date(2026, 5, 1), kind="life_event", description="x")
        before = snapshot()
        for actor in refused_roles(personas):
            with pytest.raises(PermissionDenied):
                timeline_event_create(actor=actor, course=course, details=details)
            with pytest.raises(PermissionDenied):
                timeline_event_delete(actor=actor, event=moved)
        close(course)
        with pytest.raises(ValidationError) as excinfo:
            timeline_event_update(actor=therapist, event=moved, details=details)
        assert excinfo.value.messages == [ERROR_NOT_OPEN]
        with pytest.raises(ValidationError):
            timeline_event_delete(actor=therapist, event=moved)
        assert snapshot() == before


class TestTriad:
    def test_it_records_the_triad_with_support_people_of_this_course(self, course, therapist):
        sam, ali = person(course, "Sam"), person(course, "Ali")
        details = TriadDetails(acute_crisis=CONTENT, social_support="Some", support_people=(sam, ali))
        triad = triad_save(actor=therapist, course=course, details=details)
        assert set(triad.support_people.all()) == {sam, ali}
        (audit,) = saved_events()
        assert audit.object_type == "triad"
        assert audit.detail == {"course": course.pk, "fields": ["acute_crisis", "social_support", "support_people"]}

    def test_it_updates_the_one_triad_and_its_support_people(self, course, therapist):
        sam, ali = person(course, "Sam"), person(course, "Ali")
        first = triad_save(actor=therapist, course=course, details=TriadDetails(support_people=(sam,)))
        second = triad_save(actor=therapist, course=course, details=TriadDetails(support_people=(ali,)))
        assert first.pk == second.pk
        assert list(Triad.objects.get().support_people.all()) == [ali]
        assert saved_events()[-1].detail == {"course": course.pk, "fields": ["support_people"]}
        triad_save(actor=therapist, course=course, details=TriadDetails(support_people=(ali,)))
        assert len(saved_events()) == 2

    def test_it_refuses_support_people_of_another_course(self, course, other_course, therapist):
        sam, stranger = person(course, "Sam"), person(other_course, "Stranger")
        before = snapshot()
        with pytest.raises(ValidationError) as excinfo:
            triad_save(actor=therapist, course=course, details=TriadDetails(support_people=(sam, stranger)))
        assert errors_of(excinfo) == {"support_people": [initial.ERROR_SUPPORT_PEOPLE_OTHER_COURSE]}
        assert snapshot() == before

    def test_it_refuses_a_support_person_removed_in_the_meantime(self, course, therapist):
        sam = person(course, "Sam")
        InventoryPerson.objects.filter(pk=sam.pk).delete()
        with pytest.raises(ValidationError) as excinfo:
            triad_save(actor=therapist, course=course, details=TriadDetails(support_people=(sam,)))
        assert errors_of(excinfo) == {"support_people": [initial.ERROR_SUPPORT_PEOPLE_OTHER_COURSE]}

    def test_it_refuses_anyone_else_and_a_closed_course(self, course, therapist, personas):
        before = snapshot()
        for actor in refused_roles(personas):
            with pytest.raises(PermissionDenied):
                triad_save(actor=actor, course=course, details=TriadDetails(acute_crisis="x"))
        close(course)
        with pytest.raises(ValidationError) as excinfo:
            triad_save(actor=therapist, course=course, details=TriadDetails(acute_crisis="x"))
        assert excinfo.value.messages == [ERROR_NOT_OPEN]
        assert snapshot() == before


def test_a_moderate_or_high_risk_screen_opens_a_risk_alert_once(personas):
    import dataclasses

    from iptriad.courses.services.initial import AssessmentDetails, assessment_save
    from iptriad.measures.models import RiskAlert
    from tests.courses.factories import make_course

    course = make_course(personas.client_a, personas.therapist_a)
    actor = personas.actor(personas.therapist_a)
    details = AssessmentDetails(suicide_risk_screen="moderate")
    assessment_save(actor=actor, course=course, details=details)
    assessment_save(actor=actor, course=course, details=dataclasses.replace(details, presenting_problems="Low mood"))
    alert = RiskAlert.objects.get(client=personas.client_a)
    assert alert.is_open
    assert "suicide risk screen moderate" in alert.summary
