"""Reads of measures, links and alerts: scoped by the clinical policy, audited when a record is seen."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.courses.models import CourseSession
from iptriad.courses.permissions import course_policy
from iptriad.measures.models import Administration, RiskAlert, SelfReportLink
from iptriad.measures.permissions import alert_policy, measure_policy

RECENT_LINKS = 10


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


def closed_alerts_for_client(*, actor: Actor, client: Client) -> QuerySet[RiskAlert]:
    alerts = alert_policy.scope(actor, Action.LIST, RiskAlert.objects.filter(client=client, closed_at__isnull=False))
    return alerts.select_related("closed_by").order_by("-closed_at")


def alert_get(*, actor: Actor, alert_id: int, action: Action = Action.VIEW) -> RiskAlert:
    scoped = alert_policy.scope(
        actor, action, RiskAlert.objects.select_related("client", "client__therapist", "administration", "closed_by")
    )
    alert = get_object_or_404(scoped, pk=alert_id)
    audit_record(actor=actor, action=AuditAction.ALERT_VIEWED, obj=alert)
    return alert


def session_for_measures(*, actor: Actor, client: Client, session_id: str | None) -> CourseSession | None:
    """The course session a measure is being recorded in, if the actor may work with that course."""
    if not session_id or not session_id.isdigit():
        return None
    sessions = course_policy.scope_records(
        actor, Action.UPDATE, CourseSession.objects.filter(course__client=client).select_related("course")
    )
    return get_object_or_404(sessions, pk=int(session_id))
