"""A programme's own fidelity forms: one active per session type; saving it again makes its next version, so the
ratings made with an earlier version keep the items they answered."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.fidelity import SESSION_TYPES
from iptriad.fidelity.models import NAME_MAX, FidelityForm
from iptriad.fidelity.permissions import FidelityAction, fidelity_policy

ITEMS_MAX = 40  # a form a supervisor can rate in a few minutes after a session
ITEM_TEXT_MAX = 300
DENIED = "Only a supervisor may define the programme's fidelity forms."
ERROR_SESSION_TYPE = "Choose one of the session types: " + ", ".join(SESSION_TYPES) + "."
ERROR_NAME = f"Give the form a name of at most {NAME_MAX} characters."
ERROR_NO_ITEMS = "Give the form at least one item."
ERROR_TOO_MANY_ITEMS = f"A form holds at most {ITEMS_MAX} items."
ERROR_ITEM_TOO_LONG = f"Item {{number}} is longer than {ITEM_TEXT_MAX} characters."
ERROR_ITEM_TWICE = "Item {number} repeats an earlier item."
ERROR_NOTHING_ACTIVE = "There is no active form for this session type: iptriad's checklist is already used."


def _require_manage(actor: Actor) -> None:
    if not fidelity_policy.allows(actor, FidelityAction.MANAGE):
        raise PermissionDenied(DENIED)


def _clean_items(items: Sequence[str]) -> list[str]:
    texts = [text.strip() for text in items if text.strip()]
    errors = []
    if not texts:
        errors.append(ERROR_NO_ITEMS)
    if len(texts) > ITEMS_MAX:
        errors.append(ERROR_TOO_MANY_ITEMS)
    seen: set[str] = set()
    for number, text in enumerate(texts, start=1):
        if len(text) > ITEM_TEXT_MAX:
            errors.append(ERROR_ITEM_TOO_LONG.format(number=number))
        if text.casefold() in seen:
            errors.append(ERROR_ITEM_TWICE.format(number=number))
        seen.add(text.casefold())
    if errors:
        raise ValidationError({"items": errors})
    return texts


@transaction.atomic
def form_save(*, actor: Actor, session_type: str, name: str, items: Sequence[str]) -> FidelityForm:
    """The session type's form: its first version, or the next one (the previous stays, inactive, for its ratings).
    Items are keyed by position within the version ("item-1" ...)."""
    _require_manage(actor)
    errors: dict[str, list[str]] = {}
    if session_type not in SESSION_TYPES:
        errors["session_type"] = [ERROR_SESSION_TYPE]
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = [ERROR_NAME]
    try:
        texts = _clean_items(items)
    except ValidationError as error:
        errors |= error.message_dict
    if errors:
        raise ValidationError(errors)
    mine = FidelityForm.objects.select_for_update().filter(
        organisation_id=actor.organisation.pk, session_type=session_type
    )
    previous = mine.filter(active=True).first()
    version = (mine.aggregate(last=Max("version"))["last"] or 0) + 1
    if previous is not None:
        previous.active = False
        previous.save(update_fields=["active"])
    form = FidelityForm.objects.create(
        organisation=actor.organisation,
        name=name,
        session_type=session_type,
        items=[{"key": f"item-{number}", "text": text} for number, text in enumerate(texts, start=1)],
        version=version,
        active=True,
        created_by=actor.member(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.FIDELITY_FORM_SAVED,
        obj=form,
        detail={
            "session_type": session_type,
            "version": version,
            "items": len(texts),
            "replaces": previous.pk if previous else None,
        },
    )
    return form


@transaction.atomic
def form_retire(*, actor: Actor, session_type: str) -> FidelityForm:
    """Stop using the session type's form: its sessions are rated with iptriad's checklist again."""
    _require_manage(actor)
    form = (
        FidelityForm.objects.select_for_update()
        .filter(organisation_id=actor.organisation.pk, session_type=session_type, active=True)
        .first()
    )
    if form is None:
        raise ValidationError(ERROR_NOTHING_ACTIVE)
    form.active = False
    form.save(update_fields=["active"])
    audit_record(actor=actor, action=AuditAction.FIDELITY_FORM_RETIRED, obj=form, detail={"version": form.version})
    return form
