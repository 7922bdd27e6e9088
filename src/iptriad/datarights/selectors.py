"""Reads for a client's data rights: the client, every row of every record type, and the audit events about them.

Queries are bounded per record type, never per row: one query for each type (plus one per many-to-many
field), one for the audit events and one for the staff names, however long the client's history.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Model, Q
from django.shortcuts import get_object_or_404

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.courses.models import Course
from iptriad.datarights.graph import RecordType, client_record_types
from iptriad.datarights.models import ExportDecision, ExportRequest
from iptriad.datarights.permissions import data_rights_policy, export_decision_scope
from iptriad.measures.models import Administration, RiskAlert


def client_for_data_rights(*, actor: Actor, client_id: int, action: Action) -> Client:
    """The client if the actor may export or erase it, else 404: foreign, missing and forbidden look alike."""
    scoped = data_rights_policy.scope(actor, action, Client.objects.select_related("organisation"))
    return get_object_or_404(scoped, pk=client_id)


def client_for_operator(*, client_id: int) -> Client | None:
    """A client by id for an operator at the command line, who has shell access and so every right."""
    return Client.objects.select_related("organisation").filter(pk=client_id).first()


def client_records(*, client: Client) -> dict[RecordType, list[Model]]:
    """Every row of every record type that belongs to the client, in a stable order (one query per type)."""
    records: dict[RecordType, list[Model]] = {}
    for record_type in client_record_types():
        rows = record_type.model._base_manager.filter(**{record_type.path: client})
        many_to_many = [field.name for field in record_type.model._meta.many_to_many]
        records[record_type] = list(rows.prefetch_related(*many_to_many).order_by("pk"))
    return records


def audit_events_about(*, client: Client, records: Iterable[Model]) -> list[AuditEvent]:
    """The audit events naming the client or one of its rows, oldest first (one query).

    Events point at their object by model name and id (iptriad.audit.services.audit_record), so the rows
    are grouped by model name and matched in one OR'd condition, within the client's organisation. A row
    removed earlier (an inventory person deleted) is no longer there to match; its event names the client
    or the course in its detail ({"client": id} or {"course": id}), and is matched on that.
    """
    ids: dict[str, set[str]] = {Client._meta.model_name or "client": {str(client.pk)}}
    for row in records:
        ids.setdefault(row._meta.model_name or "", set()).add(str(row.pk))
    about = Q()
    for object_type, object_ids in ids.items():
        about |= Q(object_type=object_type, object_id__in=sorted(object_ids))
    record_types = sorted(record_type.model._meta.model_name or "" for record_type in client_record_types())
    course_ids = sorted(int(pk) for pk in ids.get(Course._meta.model_name or "course", ()))
    about |= Q(object_type__in=record_types, detail__client=client.pk)
    about |= Q(object_type__in=record_types, detail__course__in=course_ids)
    events = AuditEvent.objects.filter(organisation_id=client.organisation_id).filter(about)
    return list(events.order_by("created_at", "pk"))


def staff_names(*, user_ids: Iterable[int]) -> dict[int, str]:
    """The names of the staff who appear in an export: who recorded, changed or read the record."""
    users = get_user_model()._base_manager.filter(pk__in=set(user_ids))
    return {pk: str(name) for pk, name in users.values_list("pk", "full_name")}


def administrations_with_answers(*, client: Client) -> list[Administration]:
    """Every administration of the client with its answers, oldest first (two queries), for the FHIR export."""
    administrations = Administration.objects.filter(client=client, organisation_id=client.organisation_id)
    return list(
        administrations.select_related("recorded_by").prefetch_related("answers").order_by("completed_at", "pk")
    )


def has_open_risk_alert(*, client: Client) -> bool:
    return RiskAlert.objects.filter(client=client, closed_at__isnull=True).exists()


def record_counts(*, client: Client) -> list[tuple[str, int]]:
    """How many rows of each record type the client has, by the type's name, alphabetically."""
    counts = [
        (
            # The singular: Django's made-up plurals read badly ("social rhythm entrys").
            str(record_type.model._meta.verbose_name).capitalize(),
            record_type.model._base_manager.filter(**{record_type.path: client}).count(),
        )
        for record_type in client_record_types()
    ]
    return sorted(counts)


def client_data_viewed(*, actor: Actor, client: Client) -> None:
    """Opening the data rights page shows the client's name and what is held: audited like a record view."""
    audit_record(actor=actor, action=AuditAction.CLIENT_VIEWED, obj=client, detail={"page": "data_rights"})


def export_requests_of_client(*, client: Client) -> list[ExportRequest]:
    """The client's export requests, newest first, with who asked and who decided (one query)."""
    return list(ExportRequest.objects.filter(client=client).select_related("requested_by", "decided_by")[:20])


def export_requests_to_decide(*, actor: Actor) -> list[ExportRequest]:
    """The pending export requests the actor may approve or refuse (one query, whatever their number)."""
    pending = ExportRequest.objects.filter(decision=ExportDecision.PENDING).select_related("client", "requested_by")
    return list(export_decision_scope(actor, pending).order_by("requested_at", "pk")[:200])


def export_request_to_decide(*, actor: Actor, request_id: int) -> ExportRequest:
    """A request the actor may decide (decided already or not), else 404."""
    return get_object_or_404(
        export_decision_scope(actor, ExportRequest.objects.select_related("client")), pk=request_id
    )


def export_request_of_requester(*, actor: Actor, request_id: int) -> ExportRequest:
    """The actor's own export request in their organisation, else 404: only who asked may download."""
    return get_object_or_404(
        ExportRequest, pk=request_id, organisation_id=actor.organisation.pk, requested_by_id=actor.user_id
    )
