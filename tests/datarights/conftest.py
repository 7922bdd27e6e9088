"""A client with one row of every record type, in both organisations, for the export and erasure tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from iptriad.accounts.models import User
from iptriad.accounts.tokens import token_hash
from iptriad.clients.models import Client
from iptriad.courses.models import Course, CourseTask
from iptriad.datarights.models import ExportFormat, ExportReason, ExportRequest
from iptriad.fidelity.models import FidelityRating
from iptriad.flags.models import ContextFlags
from iptriad.groups.models import GroupMember
from iptriad.measures.models import AlertAction, MeasureSchedule, RiskAlert, RiskLevel, TreatmentContext
from iptriad.measures.services import administration_record, self_report_link_create, social_rhythm_record
from iptriad.notifications.models import ScheduledLink
from iptriad.notifications.outbox import Channel, message_queue
from iptriad.outcomes.services import outcomes_refresh
from iptriad.supervision.models import ReviewedCase, SupervisionAction, SupervisionEntry
from tests.conftest import Personas
from tests.courses.factories import CourseRecords, full_course, termination_records
from tests.groups.factories import group_records
from tests.measures.factories import PHQ9_WITH_RISK

# The SRM-5 diary: five activities a day for seven days, as minutes after midnight.
DIARY_WEEK = [[420, 450, 540, 1140, 1380]] * 7


@dataclass(frozen=True)
class ClientHistory:
    """A client whose record holds a row of every kind, made through the services where they exist."""

    client: Client
    course: CourseRecords
    token: str  # the self-report link's secret, which must never appear in an export


def client_history(personas: Personas, client: Client, therapist: User) -> ClientHistory:
    organisation = client.organisation
    actor = personas.actor(therapist, organisation)
    records = full_course(client, therapist)
    course = records.course
    termination_records(course)
    course.triad.support_people.add(records.person)
    CourseTask.objects.create(organisation=organisation, course=course, task_id="assessment", recorded_by=therapist)
    MeasureSchedule.objects.create(
        organisation=organisation, context=course.treatment_context, instrument_code="phq9", cadence="weekly"
    )
    administration_record(actor=actor, client=client, code="phq9", answers=PHQ9_WITH_RISK)  # opens a risk alert
    social_rhythm_record(
        actor=actor, client=client, week_start=timezone.localdate() - dt.timedelta(days=10), week=DIARY_WEEK
    )
    link, token = self_report_link_create(actor=actor, client=client, code="phq9")
    message_queue(  # the link's message to the client, in the outbox (committed without its wake-up)
        organisation=organisation,
        kind="link_sent",
        channel=Channel.EMAIL,
        address="client@example.org",
        subject="A short questionnaire",
        body="https://iptriad.example/r/token/",
        dedupe_key=f"link-{link.pk}",
        to_client=client,
        link=link,
    )
    ExportRequest.objects.create(  # an earlier export, asked by an administrator (issue 16, item 7)
        organisation=organisation,
        client=client,
        export_format=ExportFormat.FHIR,
        reason=ExportReason.CLIENT_REQUEST,
        requested_by=therapist,
    )
    ScheduledLink.objects.create(  # as if the schedule had sent it, with the tokens it keeps for reminders
        organisation=organisation,
        client=client,
        context=course.treatment_context,
        link=link,
        instrument_code=link.instrument_code,
        session_number=2,
        session_at=timezone.now() + dt.timedelta(days=2),
        channel=Channel.EMAIL,
        link_token=token,
        stop_token=f"stop-{link.pk}",
        stop_token_hash=token_hash(f"stop-{link.pk}"),
    )
    # A group membership too, with its session row, referral and outreach task (a client is in one group at a time).
    earlier = GroupMember.objects.filter(client=client)
    label = f"History {client.identifier}.{earlier.count()}"
    earlier.update(status="finished")
    group_records(organisation, facilitator=therapist, supervisor=therapist, client=client, label=label)
    supervision_records(course, therapist)
    # The outcome rows of the client's course and group place (a test that commits has them from the signals).
    outcomes_refresh(TreatmentContext.objects.filter(client=client).values_list("pk", flat=True))
    return ClientHistory(client=client, course=records, token=token)


def supervision_records(course: Course, therapist: User) -> None:
    """The course's flags, a supervision meeting that reviewed it with an action, and a fidelity rating."""
    organisation, context = course.organisation, course.treatment_context
    # A test that commits has the row already (the flags refresh after the course's writes commit).
    ContextFlags.objects.update_or_create(
        treatment_context=context,
        defaults={
            "organisation": organisation,
            "client": course.client,
            "kind": "course",
            "clinician": therapist,
            "rules_version": "1.0.0",
        },
    )
    entry = SupervisionEntry.objects.create(
        organisation=organisation, held_on=timezone.localdate(), led_by=therapist, recorded_by=therapist
    )
    case = ReviewedCase.objects.create(
        organisation=organisation,
        entry=entry,
        treatment_context=context,
        client=course.client,
        clinician=therapist,
        discussion="Reviewed the focus.",
    )
    SupervisionAction.objects.create(
        organisation=organisation,
        entry=entry,
        case=case,
        text="Call the client.",
        owner=therapist,
        due_on=timezone.localdate(),
    )
    FidelityRating.objects.create(
        organisation=organisation,
        course_session=course.sessions.first(),
        clinician=therapist,
        rater=therapist,
        rater_role="self",
        checklist="iptriad:test",
        answers={},
    )


def close_alerts(client: Client, closed_by: User) -> None:
    """Close the client's risk alerts as a clinician would, so the client may be erased."""
    RiskAlert.objects.filter(client=client, closed_at__isnull=True).update(
        closed_at=timezone.now(),
        closed_by=closed_by,
        risk_level=RiskLevel.LOW,
        assessment="Assessed in session.",
        action=AlertAction.SAFETY_PLAN,
    )


@pytest.fixture
def history_a(personas: Personas) -> ClientHistory:
    return client_history(personas, personas.client_a, personas.therapist_a)


@pytest.fixture
def history_b(personas: Personas) -> ClientHistory:
    return client_history(personas, personas.client_b, personas.therapist_b)


def courses_of(client: Client) -> list[Course]:
    return list(Course.objects.filter(client=client))
