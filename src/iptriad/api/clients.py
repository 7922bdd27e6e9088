"""/clients: list, read, create, update, archive, reactivate; the client services and selectors do the work."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import User
from iptriad.accounts.permissions import Action, require
from iptriad.accounts.selectors import clinicians_of_organisation
from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_READ, ERRORS_WRITE
from iptriad.api.retries import idempotent
from iptriad.api.schemas.clients import ClientIn, ClientListQuery, ClientOut, ClientPage, ClientPatch
from iptriad.api.schemas.common import Id
from iptriad.clients.forms import tidied
from iptriad.clients.models import Client
from iptriad.clients.permissions import client_policy
from iptriad.clients.selectors import client_get, client_get_for_view, client_list, client_list_record_viewed
from iptriad.clients.services import (
    ERROR_THERAPIST_NOT_CLINICIAN,
    ClientDetails,
    client_archive,
    client_create,
    client_reactivate,
    client_update,
)
from iptriad.core.details import details_from

router = Router(tags=["clients"])

# Fields the client form does not take: set by the services or fixed.
_NOT_ENTERED = [
    "organisation",
    "therapist",
    "search_text",
    "consent_to_messages_by",
    "messages_opted_out_at",
    "status",
    "archived_at",
    "created_at",
    "updated_at",
]


def _therapist(actor: Actor, therapist_id: int | None, client: Client | None) -> User | None:
    if therapist_id is None:
        return None
    if client is not None and client.therapist is not None and client.therapist_id == therapist_id:
        return client.therapist  # unchanged, even if they are no longer a clinician here
    therapist = clinicians_of_organisation(organisation=actor.organisation).filter(pk=therapist_id).first()
    if therapist is None:
        raise ValidationError({"therapist": ERROR_THERAPIST_NOT_CLINICIAN})
    return therapist


def _details(actor: Actor, payload: ClientIn, client: Client | None = None) -> ClientDetails:
    """What the client form does: tidy the text, run the model fields' own validators, resolve the therapist."""
    values = tidied(payload.model_dump(exclude={"therapist"}))
    Client(organisation=actor.organisation, **values).clean_fields(exclude=_NOT_ENTERED)
    return details_from(ClientDetails, values, therapist=_therapist(actor, payload.therapist, client))


@router.get("/clients", response={200: ClientPage, **ERRORS_READ}, summary="List clients")
def client_list_api(request: HttpRequest, filters: Query[ClientListQuery]) -> dict[str, Any]:
    """The clients the caller may see (a therapist: their own), by name; searched by name or identifier."""
    actor = actor_of(request)
    require(client_policy, actor, Action.LIST)
    clients = client_list(actor=actor, query=filters.q, status=filters.status)
    shown = list(clients[filters.offset : filters.offset + filters.limit])
    client_list_record_viewed(
        actor=actor, shown=shown, page=filters.offset // filters.limit + 1, searched=bool(filters.q)
    )
    return {"count": clients.count(), "limit": filters.limit, "offset": filters.offset, "items": shown}


@router.post("/clients", response={201: ClientOut, **ERRORS_WRITE}, summary="Create a client")
@idempotent
def client_create_api(request: HttpRequest, payload: ClientIn) -> Status[Client]:
    """A therapist's new client joins their own caseload."""
    actor = actor_of(request)
    require(client_policy, actor, Action.CREATE)
    return Status(201, client_create(actor=actor, details=_details(actor, payload)))


@router.get("/clients/{int:client_id}", response={200: ClientOut, **ERRORS_READ}, summary="Read a client")
def client_get_api(request: HttpRequest, client_id: Id) -> Client:
    return client_get_for_view(actor=actor_of(request), client_id=client_id)


@router.patch("/clients/{int:client_id}", response={200: ClientOut, **ERRORS_WRITE}, summary="Change a client")
def client_update_api(request: HttpRequest, client_id: Id, payload: ClientPatch) -> Client:
    """Only the fields sent change; the whole record is then checked as on the edit form."""
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, action=Action.UPDATE)
    current = {name: getattr(client, name) for name in ClientIn.model_fields if name != "therapist"}
    merged = ClientIn.model_validate(
        {**current, "therapist": client.therapist_id, **payload.model_dump(exclude_unset=True)}
    )
    return client_update(actor=actor, client=client, details=_details(actor, merged, client))


@router.post("/clients/{int:client_id}/archive", response={200: ClientOut, **ERRORS_WRITE}, summary="Archive a client")
def client_archive_api(request: HttpRequest, client_id: Id) -> Client:
    """The record is kept and can be reactivated."""
    actor = actor_of(request)
    return client_archive(actor=actor, client=client_get(actor=actor, client_id=client_id, action=Action.ARCHIVE))


@router.post(
    "/clients/{int:client_id}/reactivate", response={200: ClientOut, **ERRORS_WRITE}, summary="Reactivate a client"
)
def client_reactivate_api(request: HttpRequest, client_id: Id) -> Client:
    actor = actor_of(request)
    return client_reactivate(actor=actor, client=client_get(actor=actor, client_id=client_id, action=Action.ARCHIVE))
