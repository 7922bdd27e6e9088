"""Logging a meeting, editing it and following an action up: one transaction, every refusal by field, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.signals import post_save
from django.utils import timezone

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.measures.models import TreatmentContext
from iptriad.supervision import services
from iptriad.supervision.models import ReviewedCase, SupervisionAction, SupervisionEntry
from iptriad.supervision.selectors import flag_titles, last_reviews
from iptriad.supervision.services import CaseNote, action_done, entry_create, entry_update
from tests.conftest import make_client
from tests.courses.factories import make_course
from tests.supervision.factories import action, details

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(personas):
    return make_course(personas.client_a, personas.therapist_a)


@pytest.fixture
def supervisor(personas):
    return personas.actor(personas.supervisor_a)


def test_it_logs_a_meeting_with_cases_and_actions(personas, course, supervisor):
    sent = []

    def receiver(sender, instance, created, **kwargs):
        sent.append((instance.treatment_context_id, created))

    post_save.connect(receiver, sender=ReviewedCase)
    try:
        entry = entry_create(
            actor=supervisor,
            details=details(
                attendees=[personas.therapist_a],
                cases=[CaseNote(course.treatment_context_id, "Stuck on the role dispute", "Safety plan reviewed")],
                actions=[action(personas.therapist_a, context_id=course.treatment_context_id)],
            ),
        )
    finally:
        post_save.disconnect(receiver, sender=ReviewedCase)
    assert sent == [(course.treatment_context_id, True)]  # the flags lane's hook
    case = ReviewedCase.objects.get(entry=entry)
    assert (case.client_id, case.clinician_id, case.risk_decision) == (
        personas.client_a.pk,
        personas.therapist_a.pk,
        "Safety plan reviewed",
    )
    assert SupervisionAction.objects.get(entry=entry).case_id == case.pk
    assert list(entry.attendees.all()) == [personas.therapist_a]
    event = AuditEvent.objects.get(action=AuditAction.SUPERVISION_ENTRY_CREATED)
    assert event.detail["clients"] == [personas.client_a.pk]
    assert last_reviews([course.treatment_context_id, 10**9]) == {course.treatment_context_id: entry.held_on}


def test_it_keeps_the_flags_the_case_carried_at_review(personas, course, supervisor):
    from iptriad.flags.models import ContextFlags

    ContextFlags.objects.create(
        organisation=personas.org_a,
        treatment_context_id=course.treatment_context_id,
        client=personas.client_a,
        kind="course",
        clinician=personas.therapist_a,
        flags=[{"code": "missed_sessions", "why": "two in a row", "since": "2026-01-01"}],
        rules_version="1.0.0",
    )
    entry = entry_create(
        actor=supervisor,
        details=details(attendees=[personas.therapist_a], cases=[CaseNote(course.treatment_context_id)]),
    )
    case = ReviewedCase.objects.get(entry=entry)
    assert case.flags_reviewed == ["missed_sessions"]
    assert flag_titles([*case.flags_reviewed, "retired_rule"])[1] == "retired_rule"


@pytest.mark.parametrize(
    ("make", "field", "message"),
    [
        (lambda p, c: action(None, key="0"), "action_0_owner", services.ERROR_ACTION_OWNER),
        (lambda p, c: action(p.therapist_a, due_in=-30), "action_0_due_on", "before the meeting"),
        (lambda p, c: action(p.admin_a), "action_0_owner", services.ERROR_ACTION_OWNER_UNKNOWN),
        (lambda p, c: action(p.therapist_b), "action_0_owner", services.ERROR_ACTION_OWNER_UNKNOWN),
        (lambda p, c: action(p.therapist_a, context_id=10**9), "action_0_case", services.ERROR_ACTION_CASE),
    ],
)
def test_it_refuses_an_unfinished_action_and_writes_nothing(personas, course, supervisor, make, field, message):
    with pytest.raises(ValidationError) as refused:
        entry_create(
            actor=supervisor,
            details=details(
                attendees=[personas.therapist_a],
                cases=[CaseNote(course.treatment_context_id)],
                actions=[make(personas, course)],
            ),
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not SupervisionEntry.objects.exists()
    assert not ReviewedCase.objects.exists()


def test_it_refuses_a_case_of_another_organisation(personas, supervisor):
    foreign = make_course(personas.client_b, personas.therapist_b)
    with pytest.raises(ValidationError) as refused:
        entry_create(
            actor=supervisor,
            details=details(attendees=[personas.therapist_a], cases=[CaseNote(foreign.treatment_context_id)]),
        )
    assert refused.value.message_dict["cases"] == [services.ERROR_CASE_UNKNOWN]
    assert not SupervisionEntry.objects.exists()


def test_it_refuses_a_meeting_in_the_future_and_without_attendees(personas, supervisor):
    with pytest.raises(ValidationError) as refused:
        entry_create(actor=supervisor, details=details(attendees=[], held_on=timezone.localdate() + dt.timedelta(1)))
    assert set(refused.value.message_dict) == {"held_on", "attendees"}


@pytest.mark.parametrize("role", ["therapist_a", "facilitator_a", "admin_a"])
def test_only_a_supervisor_logs_a_meeting(personas, role):
    with pytest.raises(PermissionDenied):
        entry_create(actor=personas.actor(getattr(personas, role)), details=details(attendees=[personas.therapist_a]))


def test_editing_adds_a_case_and_keeps_a_case_with_actions(personas, course, supervisor):
    entry = entry_create(
        actor=supervisor,
        details=details(
            attendees=[personas.therapist_a],
            cases=[CaseNote(course.treatment_context_id, "first")],
            actions=[action(personas.therapist_a, context_id=course.treatment_context_id)],
        ),
    )
    other = make_course(make_client(personas.org_a, "A-0002", personas.therapist_a2), personas.therapist_a2)
    with pytest.raises(ValidationError) as refused:
        entry_update(
            actor=supervisor,
            entry=entry,
            details=details(attendees=[personas.therapist_a], cases=[CaseNote(other.treatment_context_id)]),
        )
    assert "has actions agreed" in refused.value.message_dict["cases"][0]
    entry_update(
        actor=supervisor,
        entry=entry,
        details=details(
            attendees=[personas.therapist_a, personas.therapist_a2],
            cases=[CaseNote(course.treatment_context_id, "changed"), CaseNote(other.treatment_context_id, "new")],
        ),
    )
    cases = {case.treatment_context_id: case.discussion for case in ReviewedCase.objects.filter(entry=entry)}
    assert cases == {course.treatment_context_id: "changed", other.treatment_context_id: "new"}
    assert SupervisionAction.objects.filter(entry=entry).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.SUPERVISION_ENTRY_UPDATED).count() == 1


def test_the_owner_marks_an_action_done_once(personas, course, supervisor):
    entry = entry_create(
        actor=supervisor, details=details(attendees=[personas.therapist_a], actions=[action(personas.therapist_a)])
    )
    agreed = SupervisionAction.objects.get(entry=entry)
    with pytest.raises(PermissionDenied):
        action_done(
            actor=personas.actor(personas.therapist_a2), action=agreed, done_on=timezone.localdate(), follow_up=""
        )
    with pytest.raises(ValidationError) as refused:
        action_done(
            actor=personas.actor(personas.therapist_a),
            action=agreed,
            done_on=entry.held_on - dt.timedelta(days=1),
            follow_up="",
        )
    assert "before the meeting" in refused.value.message_dict["done_on"][0]
    done = action_done(
        actor=personas.actor(personas.therapist_a), action=agreed, done_on=timezone.localdate(), follow_up="GP called"
    )
    assert (done.done_by_id, done.follow_up) == (personas.therapist_a.pk, "GP called")
    with pytest.raises(ValidationError):
        action_done(actor=supervisor, action=agreed, done_on=timezone.localdate(), follow_up="again")
    assert AuditEvent.objects.filter(action=AuditAction.SUPERVISION_ACTION_DONE).count() == 1


def test_last_reviews_is_one_query_for_many(personas, django_assert_num_queries):
    contexts = [
        TreatmentContext.objects.create(organisation=personas.org_a, client=personas.client_a, kind="course").pk
        for _ in range(5)
    ]
    with django_assert_num_queries(1):
        assert last_reviews(contexts) == {}
    with django_assert_num_queries(0):
        assert last_reviews([]) == {}
