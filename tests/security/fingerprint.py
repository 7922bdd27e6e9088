"""Every row the product wrote, taken before and after requests that must write nothing."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Model

from iptriad.accounts.models import User
from tests.conftest import totp_device

# Reads (and refusals) are audited and logging in writes a session: those tables are expected to grow on a GET.
# Each audit event moves its chain's head, so the head row changes with the events it follows.
# A signed-in session row moves with its session (a login, a last-seen time), like the session itself.
WRITTEN_BY_READS = {
    "audit.AuditEvent",
    "audit.AuditChainHead",
    "audit.RefusalWindow",
    "sessions.Session",
    "accounts.SignedInSession",
}
# Opening a risk alert's page acknowledges it, once, so it stops escalating (docs/decisions/0030-alert-escalation.md):
# the one record a read writes, and only these fields of it.
FIELDS_WRITTEN_BY_READS = {"measures.RiskAlert": {"acknowledged_at", "acknowledged_by_id"}}

Fingerprint = dict[str, list[tuple[Any, ...]]]


def data_fingerprint() -> Fingerprint:
    """Every row of every table the product writes (except those reads write), to compare before and after."""
    fingerprint = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in WRITTEN_BY_READS or model._meta.app_label in ("auth", "contenttypes"):
            continue
        skipped = {"last_login", *FIELDS_WRITTEN_BY_READS.get(label, ())}
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in skipped]
        fingerprint[label] = list(_all(model).order_by("pk").values_list(*fields))
    return fingerprint


def _all(model: type[Model]) -> Any:
    return model._default_manager.all()


def changed_since(before: Fingerprint) -> list[str]:
    """The tables whose rows differ from the fingerprint taken before."""
    after = data_fingerprint()
    return [label for label in before if before[label] != after[label]]


def enrol_everyone() -> None:
    """Give every user their authenticator device before a fingerprint is taken: a verified session needs one,
    and creating it while logging in is not a write of the request under test."""
    for user in User.objects.all():
        totp_device(user)
