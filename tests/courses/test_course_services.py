import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import Phase
from iptriad.courses.models import Course, PhaseChange
from iptriad.courses.services import course as services
from iptriad.courses.services.course import course_change_phase, course_close, course_open, course_task_mark
from iptriad.measures.models import MeasureSchedule
from tests.courses.factories import full_course, make_course, termination_records

pytestmark = pytest.mark.django_db


def test_opening_a_course_starts_the_initial_phase_with_the_default_measures(personas):
    course = course_open(actor=personas.actor(personas.therapist_a), client=personas.client_a, adaptation="standard")
    assert (course.phase, course.therapist, course.protocol_version) == (Phase.INITIAL, personas.therapist_a, "1.0.0")
    assert set(
        MeasureSchedule.objects.filter(context=course.treatment_context).values_list("instrument_code", flat=True)
    ) == {
        "phq9",
        "gad7",
        "wsas",
    }
    assert PhaseChange.objects.get(course=course).to_phase == Phase.INITIAL
    assert AuditEvent.objects.filter(action=AuditAction.COURSE_OPENED, object_id=str(course.pk)).exists()


def test_ipt_a_and_perinatal_and_ipsrt_courses_get_their_own_measures(personas):
    actor = personas.actor(personas.supervisor_a)
    from tests.conftest import make_client

    for adaptation, expected in (("ipt_a", "phqa"), ("perinatal", "epds"), ("ipsrt", "srm5")):
        client = make_client(personas.org_a, f"M-{adaptation}", personas.therapist_a)
        course = course_open(actor=actor, client=client, adaptation=adaptation, therapist=personas.therapist_a)
        assert expected in set(
            MeasureSchedule.objects.filter(context=course.treatment_context).values_list("instrument_code", flat=True)
        )


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"adaptation": "nope"}, "adaptation", services.ERROR_UNKNOWN_ADAPTATION),
        ({"opened_on": dt.date(2999, 1, 1)}, "opened_on", services.ERROR_OPENED_IN_FUTURE),
        ({"opened_on": dt.date(1900, 1, 1)}, "opened_on", services.ERROR_OPENED_BEFORE_BIRTH),
    ],
)
def test_opening_refuses_bad_input_and_writes_nothing(personas, kwargs, field, message):
    with pytest.raises(ValidationError) as refused:
        course_open(
            actor=personas.actor(personas.therapist_a),
            client=personas.client_a,
            **{"adaptation": "standard", **kwargs},
        )
    assert refused.value.message_dict == {field: [message]}
    assert not Course.objects.exists()


def test_a_client_has_at_most_one_open_course(personas):
    actor = personas.actor(personas.therapist_a)
    course_open(actor=actor, client=personas.client_a, adaptation="standard")
    with pytest.raises(ValidationError, match="already has an open course"):
        course_open(actor=actor, client=personas.client_a, adaptation="standard")


def test_a_therapist_opens_courses_only_for_themselves(personas):
    with pytest.raises(ValidationError, match="only with yourself"):
        course_open(
            actor=personas.actor(personas.therapist_a),
            client=personas.client_a,
            adaptation="standard",
            therapist=personas.supervisor_a,
        )


@pytest.mark.parametrize("who", ["admin_a", "facilitator_a", "therapist_b"])
def test_opening_is_refused_to_who_may_not(personas, who):
    organisation = personas.org_b if who == "therapist_b" else None
    with pytest.raises(PermissionDenied):
        course_open(
            actor=personas.actor(getattr(personas, who), organisation), client=personas.client_a, adaptation="standard"
        )


def test_the_middle_phase_is_refused_with_what_to_fix(personas):
    course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL)
    with pytest.raises(ValidationError) as refused:
        course_change_phase(actor=personas.actor(personas.therapist_a), course=course, to_phase=Phase.MIDDLE)
    assert "Record a diagnosis before starting the middle phase." in refused.value.messages
    course.refresh_from_db()
    assert course.phase == Phase.INITIAL


def test_a_ready_course_moves_through_termination_to_a_completed_close(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    actor = personas.actor(personas.therapist_a)
    course = course_change_phase(actor=actor, course=records.course, to_phase=Phase.TERMINATION)
    with pytest.raises(ValidationError, match="relapse-prevention plan"):
        course_close(actor=actor, course=course, reason="completed")
    termination_records(course)
    closed = course_close(actor=actor, course=course, reason="completed", note="Recovered")
    assert (closed.phase, closed.end_reason, closed.closed_on is not None) == (Phase.CLOSED, "completed", True)
    assert [c.to_phase for c in PhaseChange.objects.filter(course=course)] == ["initial", "termination", "closed"]


def test_closing_needs_a_reason(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    with pytest.raises(ValidationError, match="Choose why the course is ending"):
        course_close(actor=personas.actor(personas.therapist_a), course=records.course, reason="")


def test_a_task_is_ticked_only_from_the_current_phase(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    actor = personas.actor(personas.therapist_a)
    course_task_mark(actor=actor, course=records.course, task_id="middle.midpoint_review", done=True)
    with pytest.raises(ValidationError, match="not part of this phase"):
        course_task_mark(actor=actor, course=records.course, task_id="initial.inventory", done=True)


def test_a_colleague_cannot_change_a_course(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    with pytest.raises(PermissionDenied):
        course_change_phase(
            actor=personas.actor(personas.therapist_a2), course=records.course, to_phase=Phase.TERMINATION
        )


@pytest.mark.parametrize(
    ("closed_on", "message"),
    [
        (dt.date(2999, 1, 1), services.ERROR_CLOSED_IN_FUTURE),
        (dt.date(2026, 8, 1), services.ERROR_CLOSED_BEFORE_OPENING),
    ],
)
def test_closing_refuses_an_impossible_end_date(personas, closed_on, message):
    records = full_course(personas.client_a, personas.therapist_a)
    with pytest.raises(ValidationError, match=message):
        course_close(
            actor=personas.actor(personas.therapist_a), course=records.course, reason="moved", closed_on=closed_on
        )
    records.course.refresh_from_db()
    assert records.course.is_open
