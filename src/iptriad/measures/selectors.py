"""Reads of measures, links and alerts: scoped by the clinical policy, audited when a record is seen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import F, Model, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.core.instruments import UnknownInstrumentError
from iptriad.core.schedules import SessionHeld
from iptriad.measures import contexts
from iptriad.measures.contexts import OccasionChoice
from iptriad.measures.definitions import definition as instrument
from iptriad.measures.models import Administration, MeasureSchedule, RiskAlert, SelfReportLink, TreatmentContext
from iptriad.measures.permissions import alert_policy, measure_policy
from iptriad.measures.trajectory import Trajectory, build_trajectory, context_administrations, scores_of
from iptriad.web.pages import id_from_text

M = TypeVar("M", bound=Model)

RECENT_LINKS = 10
CLOSED_ALERTS_SHOWN = 10


def client_for_measures(*, actor: Actor, client_id: int, action: Action = Action.VIEW) -> Client:
    """The client if the actor may work with their measures; otherwise 404, as for a missing client."""
    scoped = measure_policy.scope_clients(actor, action, Client.objects.select_related("therapist"))
    return get_object_or_404(scoped, pk=client_id)


def _rows_of_client(actor: Actor, queryset: QuerySet[M], client: Client) -> QuerySet[M]:
    """The rows of a client that client_for_measures gave this actor: each of them is the actor's to list.

    The policy's scope would ask again whether the actor treats the client, once per query (a subquery per kind of
    treatment context, and most of a page's time building SQL): the client's own rows within the organisation are
    the same rows, the alert policy's extra reader only widening what this client already allows.
    """
    if not measure_policy.allows(actor, Action.LIST):
        return queryset.none()
    return queryset.filter(organisation_id=actor.organisation.pk, client_id=client.pk)


def administrations_for_client(*, actor: Actor, client: Client) -> QuerySet[Administration]:
    """Call with a client from client_for_measures, as every reader of a client's rows below."""
    administrations = _rows_of_client(actor, Administration.objects.all(), client)
    return administrations.select_related("recorded_by").order_by("-completed_at", "-pk")


def administration_get(*, actor: Actor, administration_id: int) -> Administration:
    scoped = measure_policy.scope(actor, Action.VIEW, Administration.objects.select_related("client", "recorded_by"))
    administration = get_object_or_404(scoped, pk=administration_id)
    audit_record(actor=actor, action=AuditAction.MEASURE_VIEWED, obj=administration)
    return administration


def links_for_client(*, actor: Actor, client: Client) -> list[SelfReportLink]:
    links = _rows_of_client(actor, SelfReportLink.objects.all(), client)
    return list(links.select_related("created_by").order_by("-created_at")[:RECENT_LINKS])


def link_get(*, actor: Actor, link_id: int, action: Action) -> SelfReportLink:
    scoped = measure_policy.scope(actor, action, SelfReportLink.objects.select_related("client"))
    return get_object_or_404(scoped, pk=link_id)


def open_alerts(*, actor: Actor, client: Client | None = None) -> QuerySet[RiskAlert]:
    """Open alerts, oldest first: the longest-waiting risk is the most urgent to look at."""
    alerts = alert_policy.scope(actor, Action.LIST, RiskAlert.objects.filter(closed_at__isnull=True))
    if client is not None:
        alerts = alerts.filter(client=client)
    return alerts.select_related("client", "client__therapist", "acknowledged_by").order_by("opened_at", "pk")


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
    alerts = _rows_of_client(actor, RiskAlert.objects.all(), client)
    rows = list(
        alerts.select_related("client", "client__therapist", "closed_by", "acknowledged_by")
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
        actor,
        action,
        RiskAlert.objects.select_related(
            "client", "client__therapist", "administration", "closed_by", "acknowledged_by", "link"
        ),
    )
    alert = get_object_or_404(scoped, pk=alert_id)
    audit_record(actor=actor, action=AuditAction.ALERT_VIEWED, obj=alert)
    return alert


def kept_answers(alert: RiskAlert) -> list[tuple[str, str]]:
    """The answers a self-report kept with this alert while they were not a questionnaire yet (incomplete, or on a
    link no longer active): each question with the answer given, or "Not answered". Empty once completed."""
    link = alert.link
    if alert.administration_id is not None or link is None or not link.held_answers:
        return []
    definition = instrument(link.instrument_code)
    rows = []
    for item, position in zip(definition.items, link.held_answers, strict=False):
        answer = "Not answered" if position is None else item.options[position].text or f"Option {position + 1}"
        rows.append((f"{item.number}. {item.text or f'Item {item.number}'}", answer))
    return rows


def occasion_for_measures(*, actor: Actor, client: Client, occasion_id: str | None) -> OccasionChoice | None:
    """The session a measure is being recorded in (?occasion=), if the actor may record in it; else a 404."""
    number = id_from_text(occasion_id)
    if number is None:
        return None
    choice = contexts.occasion_for(actor, client, number)
    if choice is None:
        raise Http404("No such session.")
    return choice


def context_schedules(*, context: TreatmentContext) -> list[MeasureSchedule]:
    """A context's schedule rows, in use or not; call only with a context the actor may read."""
    return list(MeasureSchedule.objects.filter(context=context, organisation_id=context.organisation_id))


def context_trajectory(*, context: TreatmentContext, code: str, sessions: Sequence[SessionHeld]) -> Trajectory:
    """One instrument's trajectory in a context, for its chart; an unknown instrument is a 404 like a foreign
    context. Call only with a context the actor may read, and audit the reading there."""
    try:
        definition = instrument(code)
    except UnknownInstrumentError:
        raise Http404("No such instrument.") from None
    administrations = context_administrations(
        context_id=context.pk, organisation_id=context.organisation_id, code=definition.code
    )
    scores = scores_of(administrations, sessions)
    return build_trajectory(definition, scores.get(definition.code, []))


# --- Export -----------------------------------------------------------------------------------------------------


def client_for_operator(*, client_id: int) -> Client | None:
    """A client by id for an operator at the command line, who has shell access and so every right."""
    return Client.objects.select_related("organisation").filter(pk=client_id).first()


def administrations_for_export(*, actor: Actor, client: Client) -> list[Administration]:
    """Every administration of the client with its answers and who recorded it, oldest first: two queries."""
    administrations = Administration.objects.filter(client=client)
    if actor.user is None:
        # Actor.operator: the command line, within the client's organisation.
        administrations = administrations.filter(organisation_id=actor.organisation.pk)
    else:
        administrations = measure_policy.scope(actor, Action.VIEW, administrations)
    return list(
        administrations.select_related("recorded_by").prefetch_related("answers").order_by("completed_at", "pk")
    )


def client_measures_viewed(*, actor: Actor, client: Client) -> None:
    """Seeing a client's scores, links and alerts is a view of their record: audited like one."""
    audit_record(actor=actor, action=AuditAction.MEASURE_VIEWED, obj=client, detail={"page": "client_measures"})
