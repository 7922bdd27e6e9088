"""Reads of measures, links and alerts: scoped by the clinical policy, audited when a record is seen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.core.instruments import UnknownInstrumentError
from iptriad.core.schedules import Cadence, ScheduleRule, due_measures
from iptriad.courses.models import Course, CourseSession
from iptriad.courses.models.sessions import Attendance
from iptriad.courses.permissions import course_policy
from iptriad.measures.definitions import definition as instrument
from iptriad.measures.models import Administration, MeasureSchedule, RiskAlert, SelfReportLink
from iptriad.measures.permissions import alert_policy, measure_policy
from iptriad.measures.trajectory import Trajectory, build_trajectory, course_scores, trajectories

RECENT_LINKS = 10
CLOSED_ALERTS_SHOWN = 10


def client_for_measures(*, actor: Actor, client_id: int, action: Action = Action.VIEW) -> Client:
    """The client if the actor may work with their measures; otherwise 404, as for a missing client."""
    scoped = measure_policy.scope_clients(actor, action, Client.objects.select_related("therapist"))
    return get_object_or_404(scoped, pk=client_id)


def administrations_for_client(*, actor: Actor, client: Client) -> QuerySet[Administration]:
    administrations = measure_policy.scope(actor, Action.LIST, Administration.objects.filter(client=client))
    return administrations.select_related("recorded_by").order_by("-completed_at", "-pk")


def administration_get(*, actor: Actor, administration_id: int) -> Administration:
    scoped = measure_policy.scope(actor, Action.VIEW, Administration.objects.select_related("client", "recorded_by"))
    administration = get_object_or_404(scoped, pk=administration_id)
    audit_record(actor=actor, action=AuditAction.MEASURE_VIEWED, obj=administration)
    return administration


def links_for_client(*, actor: Actor, client: Client) -> list[SelfReportLink]:
    links = measure_policy.scope(actor, Action.LIST, SelfReportLink.objects.filter(client=client))
    return list(links.select_related("created_by").order_by("-created_at")[:RECENT_LINKS])


def link_get(*, actor: Actor, link_id: int, action: Action) -> SelfReportLink:
    scoped = measure_policy.scope(actor, action, SelfReportLink.objects.select_related("client"))
    return get_object_or_404(scoped, pk=link_id)


def open_alerts(*, actor: Actor, client: Client | None = None) -> QuerySet[RiskAlert]:
    """Open alerts, oldest first: the longest-waiting risk is the most urgent to look at."""
    alerts = alert_policy.scope(actor, Action.LIST, RiskAlert.objects.filter(closed_at__isnull=True))
    if client is not None:
        alerts = alerts.filter(client=client)
    return alerts.select_related("client", "client__therapist").order_by("opened_at", "pk")


@dataclass(frozen=True)
class ClientAlerts:
    open: list[RiskAlert]  # oldest first, as open_alerts
    closed: list[RiskAlert]  # the last CLOSED_ALERTS_SHOWN, newest first


def alerts_for_client(*, actor: Actor, client: Client) -> ClientAlerts:
    """The client's open alerts and its last closed ones, in one query.

    The closed alerts are numbered newest first ahead of the open ones (closed_at is null), so the query keeps every
    open alert and never more than CLOSED_ALERTS_SHOWN closed ones, whatever the client's history.
    """
    position = Window(RowNumber(), order_by=[F("closed_at").desc(nulls_last=True), F("pk").desc()])
    alerts = alert_policy.scope(actor, Action.LIST, RiskAlert.objects.filter(client=client))
    rows = list(
        alerts.select_related("client", "client__therapist", "closed_by")
        .annotate(position=position)
        .filter(Q(closed_at__isnull=True) | Q(position__lte=CLOSED_ALERTS_SHOWN))
        .order_by("opened_at", "pk")
    )
    return ClientAlerts(
        open=[alert for alert in rows if alert.closed_at is None],
        closed=sorted((alert for alert in rows if alert.closed_at is not None), key=_position),
    )


def _position(alert: RiskAlert) -> int:
    return int(alert.position)  # type: ignore[attr-defined]  # annotated by alerts_for_client


def alert_get(*, actor: Actor, alert_id: int, action: Action = Action.VIEW) -> RiskAlert:
    scoped = alert_policy.scope(
        actor, action, RiskAlert.objects.select_related("client", "client__therapist", "administration", "closed_by")
    )
    alert = get_object_or_404(scoped, pk=alert_id)
    audit_record(actor=actor, action=AuditAction.ALERT_VIEWED, obj=alert)
    return alert


def session_for_measures(*, actor: Actor, client: Client, session_id: str | None) -> CourseSession | None:
    """The course session a measure is being recorded in, if the actor may work with that course."""
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses (a 500 from a crafted link).
    if not session_id or not (session_id.isascii() and session_id.isdigit()):
        return None
    sessions = course_policy.scope_records(
        actor, Action.UPDATE, CourseSession.objects.filter(course__client=client).select_related("course")
    )
    return get_object_or_404(sessions, pk=int(session_id))


# --- Courses: trajectories, schedules and what is due ---------------------------------------------------------


def course_for_measures(*, actor: Actor, course_id: int, action: Action = Action.VIEW) -> Course:
    """The course if the actor may work with it (its therapist, or a supervisor); otherwise 404."""
    scoped = course_policy.scope(actor, action, Course.objects.select_related("client", "organisation"))
    return get_object_or_404(scoped, pk=course_id)


def course_for_client_measures(*, actor: Actor, client: Client) -> Course | None:
    """The client's open course, else their latest one, if the actor may read it."""
    courses = course_policy.scope(actor, Action.VIEW, Course.objects.filter(client=client))
    return courses.order_by(F("closed_on").desc(nulls_first=True), "-opened_on", "-pk").first()


def course_trajectories(*, course: Course) -> list[Trajectory]:
    """One trajectory per instrument given in the course, in one query; the course must be one the actor may read."""
    return trajectories(course_scores(course=course))


def trajectory_for_chart(*, actor: Actor, course_id: int, code: str) -> Trajectory:
    """One instrument's trajectory in a course, for its chart; an unknown instrument is a 404 like a foreign course."""
    course = course_for_measures(actor=actor, course_id=course_id)
    try:
        definition = instrument(code)
    except UnknownInstrumentError:
        raise Http404("No such instrument.") from None
    scores = course_scores(course=course, code=definition.code).get(definition.code, [])
    audit_record(actor=actor, action=AuditAction.MEASURE_VIEWED, obj=course, detail={"instrument": definition.code})
    return build_trajectory(definition, scores)


def course_schedules(*, actor: Actor, course: Course, action: Action = Action.VIEW) -> list[MeasureSchedule]:
    return list(course_policy.scope_records(actor, action, MeasureSchedule.objects.filter(course=course)))


@dataclass(frozen=True)
class DueMeasure:
    code: str
    name: str
    overdue: bool
    reason: str


def due_at_next_session(
    *,
    schedules: Sequence[MeasureSchedule],
    sessions: Sequence[CourseSession],
    sessions_planned: int | None,
    administrations: Sequence[Administration],
) -> tuple[int, list[DueMeasure]]:
    """The next session's number and what is due at it, from the course's records already read (no query).

    Read the course as the session guide does: sessions counted by attendance, measures belonging to attended
    sessions by their link or by date (courses/selectors/sessions.given_measures).
    """
    from iptriad.courses.selectors.sessions import given_measures

    rules = [
        ScheduleRule(schedule.instrument_code, Cadence(schedule.cadence), schedule.every_n)
        for schedule in schedules
        if schedule.active
    ]
    by_date = sorted(sessions, key=lambda session: (session.held_on, session.pk))
    next_session = sum(1 for session in sessions if session.attendance == Attendance.ATTENDED) + 1
    due = due_measures(
        rules,
        next_session=next_session,
        sessions_planned=sessions_planned,
        given=given_measures(administrations, by_date),
        today=timezone.localdate(),
    )
    return next_session, [
        DueMeasure(item.instrument, _short_name(item.instrument), item.overdue, item.reason) for item in due
    ]


def _short_name(code: str) -> str:
    try:
        return instrument(code).short_name
    except UnknownInstrumentError:
        return code.upper()


# --- Export -----------------------------------------------------------------------------------------------------


def client_for_operator(*, client_id: int) -> Client | None:
    """A client by id for an operator at the command line, who has shell access and so every right."""
    return Client.objects.select_related("organisation").filter(pk=client_id).first()


def administrations_for_export(*, actor: Actor, client: Client) -> list[Administration]:
    """Every administration of the client with its answers, oldest first: two queries."""
    administrations = Administration.objects.filter(client=client)
    if actor.user is None:
        # Actor.operator: the command line, within the client's organisation.
        administrations = administrations.filter(organisation_id=actor.organisation.pk)
    else:
        administrations = measure_policy.scope(actor, Action.VIEW, administrations)
    return list(administrations.prefetch_related("answers").order_by("completed_at", "pk"))


def client_measures_viewed(*, actor: Actor, client: Client) -> None:
    """Seeing a client's scores, links and alerts is a view of their record: audited like one."""
    audit_record(actor=actor, action=AuditAction.MEASURE_VIEWED, obj=client, detail={"page": "client_measures"})
