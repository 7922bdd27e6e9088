"""Every change to a client record: one named action, validated, in a transaction, audited."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import User
from iptriad.accounts.permissions import Action, require
from iptriad.accounts.selectors import clinicians_of_organisation
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record, audit_record_without_member
from iptriad.clients.models import Client, ClientStatus, MessageChannel
from iptriad.clients.permissions import client_policy
from iptriad.clients.signals import client_archived
from iptriad.core.ages import age_on

OLDEST_PLAUSIBLE_AGE = 120

ERROR_IDENTIFIER_TAKEN = (
    "Another client of this organisation already has this identifier (capitals and small letters count as the same)."
)
ERROR_BIRTH_IN_FUTURE = "The date of birth cannot be in the future."
ERROR_BIRTH_TOO_EARLY = f"The date of birth gives an age over {OLDEST_PLAUSIBLE_AGE}; check the year."
ERROR_CONSENT_UNDATED = "Give the date consent was given."
ERROR_CONSENT_DATE_WITHOUT_CONSENT = "Leave the date empty unless consent was given."
ERROR_CONSENT_IN_FUTURE = "The consent date cannot be in the future."
ERROR_CONSENT_BEFORE_BIRTH = "The consent date cannot be before the date of birth."
ERROR_THERAPIST_NOT_CLINICIAN = "Choose a therapist or supervisor of this organisation."
ERROR_THERAPIST_NOT_SELF = "As a therapist you can only assign clients to yourself."
ERROR_CHANNEL_NEEDS_EMAIL = "Enter the client's e-mail address to send messages by e-mail."
ERROR_CHANNEL_NEEDS_PHONE = "Enter the client's mobile number to send messages by text message."
ERROR_CHANNEL_UNKNOWN = "Choose how the client wants messages: none, e-mail or text message."
ERROR_CONSENT_NEEDS_CHANNEL = "Choose the channel the client agreed to, or untick the consent."
ERROR_ALREADY_ARCHIVED = "This client is already archived."
ERROR_NOT_ARCHIVED = "This client is not archived."
ERROR_CLIENT_ARCHIVED = (
    "This client is archived: nothing new can be recorded for them until their record is reactivated. "
    "Their record can still be read, and an open risk alert can still be closed."
)


@dataclasses.dataclass(frozen=True)
class ClientDetails:
    """Everything a member enters about a client on the create and edit forms."""

    identifier: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    gender: str
    phone: str
    email: str
    preferred_language: str
    consent_to_treatment: bool
    consent_to_treatment_on: dt.date | None
    consent_to_data_use: bool
    consent_to_data_use_on: dt.date | None
    therapist: User | None
    message_channel: str = MessageChannel.NONE
    consent_to_messages: bool = False
    consent_to_messages_on: dt.date | None = None


def _validate(*, actor: Actor, details: ClientDetails, client: Client | None) -> None:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if details.date_of_birth > today:
        errors["date_of_birth"] = ERROR_BIRTH_IN_FUTURE
    elif age_on(details.date_of_birth, today) > OLDEST_PLAUSIBLE_AGE:
        errors["date_of_birth"] = ERROR_BIRTH_TOO_EARLY
    for consent, field in (
        (details.consent_to_treatment, "consent_to_treatment_on"),
        (details.consent_to_data_use, "consent_to_data_use_on"),
        (details.consent_to_messages, "consent_to_messages_on"),
    ):
        given_on: dt.date | None = getattr(details, field)
        if consent and given_on is None:
            errors[field] = ERROR_CONSENT_UNDATED
        elif not consent and given_on is not None:
            errors[field] = ERROR_CONSENT_DATE_WITHOUT_CONSENT
        elif given_on is not None and given_on > today:
            errors[field] = ERROR_CONSENT_IN_FUTURE
        elif given_on is not None and "date_of_birth" not in errors and given_on < details.date_of_birth:
            errors[field] = ERROR_CONSENT_BEFORE_BIRTH
    _validate_channel(errors, details)
    therapist = details.therapist
    if therapist is not None and not (client is not None and client.therapist_id == therapist.pk):
        if not client_policy.may_assign_any_therapist(actor) and therapist.pk != actor.user_id:
            errors["therapist"] = ERROR_THERAPIST_NOT_SELF
        elif not clinicians_of_organisation(organisation=actor.organisation).filter(pk=therapist.pk).exists():
            errors["therapist"] = ERROR_THERAPIST_NOT_CLINICIAN
    taken = Client.objects.for_organisation(actor.organisation.pk).filter(identifier__iexact=details.identifier)
    if client is not None:
        taken = taken.exclude(pk=client.pk)
    if taken.exists():
        errors["identifier"] = ERROR_IDENTIFIER_TAKEN
    if errors:
        raise ValidationError(errors)


def _validate_channel(errors: dict[str, str], details: ClientDetails) -> None:
    """No message without an address for the channel chosen; a consent says which channel it is for."""
    if details.message_channel not in MessageChannel.values:
        errors["message_channel"] = ERROR_CHANNEL_UNKNOWN
    elif details.message_channel == MessageChannel.EMAIL and not details.email:
        errors["email"] = ERROR_CHANNEL_NEEDS_EMAIL
    elif details.message_channel == MessageChannel.SMS and not details.phone:
        errors["phone"] = ERROR_CHANNEL_NEEDS_PHONE
    elif details.consent_to_messages and details.message_channel == MessageChannel.NONE:
        errors["message_channel"] = ERROR_CONSENT_NEEDS_CHANNEL


def _consent_recorded(actor: Actor, client: Client, details: ClientDetails) -> list[str]:
    """Who recorded the consent to messages, when it is given or its date changes; a consent dated on or after an
    opt-out lifts it (the client asked the therapist to opt in again). Returns the fields it changed."""
    changed: list[str] = []
    given_now = details.consent_to_messages and (
        not client.consent_to_messages or client.consent_to_messages_on != details.consent_to_messages_on
    )
    if given_now:
        client.consent_to_messages_by = actor.user
        changed.append("consent_to_messages_by")
    elif not details.consent_to_messages and client.consent_to_messages_by_id is not None:
        client.consent_to_messages_by = None
        changed.append("consent_to_messages_by")
    opted_out = client.messages_opted_out_at
    if (
        given_now
        and opted_out is not None
        and details.consent_to_messages_on is not None
        and details.consent_to_messages_on >= timezone.localdate(opted_out)
    ):
        client.messages_opted_out_at = None
        changed.append("messages_opted_out_at")
    return changed


def _save(client: Client) -> None:
    client.refresh_search_text()
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError as error:
        # Two members saving the same identifier at once: the constraint, not the check, decided.
        if "identifier" in str(error) or "client_identifier_unique_in_org" in str(error):  # either constraint
            raise ValidationError({"identifier": ERROR_IDENTIFIER_TAKEN}) from error
        raise


@transaction.atomic
def client_create(*, actor: Actor, details: ClientDetails) -> Client:
    require(client_policy, actor, Action.CREATE)
    if details.therapist is None and not client_policy.may_assign_any_therapist(actor):
        # A therapist's new client joins their own caseload, or they could not see it afterwards.
        details = dataclasses.replace(details, therapist=actor.user)
    _validate(actor=actor, details=details, client=None)
    client = Client(organisation=actor.organisation, **dataclasses.asdict(details))
    if details.consent_to_messages:
        client.consent_to_messages_by = actor.user
    _save(client)
    audit_record(actor=actor, action=AuditAction.CLIENT_CREATED, obj=client)
    return client


@transaction.atomic
def client_update(*, actor: Actor, client: Client, details: ClientDetails) -> Client:
    _require_on(actor, client, Action.UPDATE)
    if details.therapist is None and not client_policy.may_assign_any_therapist(actor):
        details = dataclasses.replace(details, therapist=client.therapist)
    _validate(actor=actor, details=details, client=client)
    changed = [
        field.name
        for field in dataclasses.fields(details)
        if getattr(client, field.name) != getattr(details, field.name)
    ]
    if not changed:
        return client
    recorded = _consent_recorded(actor, client, details)  # reads the consent as it was, so before the changes
    for name in changed:
        setattr(client, name, getattr(details, name))
    changed += recorded
    client.updated_at = timezone.now()
    _save(client)
    # Field names only: the audit trail never copies clinical or personal content.
    audit_record(actor=actor, action=AuditAction.CLIENT_UPDATED, obj=client, detail={"fields": changed})
    return client


@transaction.atomic
def client_archive(*, actor: Actor, client: Client) -> Client:
    _require_on(actor, client, Action.ARCHIVE)
    if client.is_archived:
        raise ValidationError(ERROR_ALREADY_ARCHIVED)
    client.status = ClientStatus.ARCHIVED
    client.archived_at = client.updated_at = timezone.now()
    client.save(update_fields=["status", "archived_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.CLIENT_ARCHIVED, obj=client)
    client_archived.send(sender=Client, actor=actor, client=client)  # e.g. measures withdraws the open links
    return client


@transaction.atomic
def client_reactivate(*, actor: Actor, client: Client) -> Client:
    _require_on(actor, client, Action.ARCHIVE)
    if not client.is_archived:
        raise ValidationError(ERROR_NOT_ARCHIVED)
    client.status = ClientStatus.ACTIVE
    client.archived_at = None
    client.updated_at = timezone.now()
    client.save(update_fields=["status", "archived_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.CLIENT_REACTIVATED, obj=client)
    return client


def client_require_active(client: Client) -> None:
    """The one guard of every clinical write (sessions, measures, alerts, courses and their parts): refused for an
    archived client until the record is reactivated (issue 16, item 4).

    Reads the client's status under a row lock inside the writer's transaction, so a write and an archiving of
    the same client take turns: a write that started first commits before the archive, one that started after
    sees the archive. Not used by closing a risk alert (a safety signal is always closed), by withdrawing a link
    or by a self-report answer (its risk answers are kept under the clinical-safety rules).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Check the client inside the transaction that writes.")
    status = Client.objects.select_for_update().filter(pk=client.pk).values_list("status", flat=True).first()
    if status == ClientStatus.ARCHIVED:
        raise ValidationError(ERROR_CLIENT_ARCHIVED, code="client_archived")


def _require_on(actor: Actor, client: Client, action: Action) -> None:
    """Services are entry points too (CLI, API): check the object, not only the role."""
    if not client_policy.scope(actor, action, Client.objects.filter(pk=client.pk)).exists():
        raise PermissionDenied(f"You may not {action.value} this client.")


@transaction.atomic
def client_messages_opt_out(*, client: Client, via: str, ip_address: str | None) -> bool:
    """The client asks for no more messages (from a message's stop link, or STOP by SMS): no member acts, so the
    audit event has none. False when already opted out (a second click, a repeated STOP) and nothing changes.
    Opting in again is the therapist's: they record the client's consent again, with its new date."""
    updated = Client.objects.filter(pk=client.pk, messages_opted_out_at__isnull=True).update(
        messages_opted_out_at=timezone.now(), updated_at=timezone.now()
    )
    if not updated:
        return False
    client.refresh_from_db(fields=["messages_opted_out_at", "updated_at"])
    audit_record_without_member(
        organisation=client.organisation,
        action=AuditAction.CLIENT_MESSAGES_OPTED_OUT,
        obj=client,
        ip_address=ip_address,
        detail={"via": via},
    )
    return True
