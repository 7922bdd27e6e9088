"""What measures tells the apps above it (a risk alert opened, a self-report link closed), and its answers to what
the apps below it tell: an archived client's links stop taking answers."""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal, receiver
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.clients.signals import client_archived
from iptriad.measures.models import SelfReportLink

# Sent inside the transaction that opens a risk alert, with `alert` (a RiskAlert), from every place an alert opens
# (a positive critical answer, kept or stored; a clinician's concern): notifications queues the messages to the
# responsible clinicians in the same transaction. Sent through `iptriad.measures.services` in a savepoint of its
# own, so a receiver that fails never undoes the alert (docs/clinical-safety.md, "Alerts reach a person").
risk_alert_opened = Signal()

# Sent inside the transaction that records an alert's first acknowledgement, with `alert`: the acknowledgement is a
# conditional update (no post_save), and the not-on-track flags (iptriad.flags) read it.
risk_alert_acknowledged = Signal()

# Sent inside the transaction that closes a self-report link for good, with `link` and `reason` (one of the
# LINK_CLOSED_* words): e.g. notifications cancels its queued reminders and wipes the token it kept for them.
self_report_link_closed = Signal()
LINK_CLOSED_ANSWERED = "answered"
LINK_CLOSED_WITHDRAWN = "withdrawn"
LINK_CLOSED_CLIENT_ARCHIVED = "client archived"


@receiver(client_archived, dispatch_uid="iptriad_measures_withdraw_links_of_an_archived_client")
def links_withdrawn_on_archiving(sender: type[Client], actor: Actor, client: Client, **kwargs: Any) -> None:
    """Every link still open is withdrawn in the archiving's transaction, each audited as a withdrawal. A client
    who then opens one is told it is no longer active and, with a positive self-harm answer, still gets the crisis
    contacts while the answer is kept with its alert (docs/clinical-safety.md)."""
    now = timezone.now()
    open_links = list(
        SelfReportLink.objects.select_for_update().filter(client=client, used_at__isnull=True, revoked_at__isnull=True)
    )
    SelfReportLink.objects.filter(pk__in=[link.pk for link in open_links]).update(revoked_at=now)
    for link in open_links:
        audit_record(actor=actor, action=AuditAction.LINK_REVOKED, obj=link, detail={"reason": "client_archived"})
        self_report_link_closed.send(sender=SelfReportLink, link=link, reason=LINK_CLOSED_CLIENT_ARCHIVED)
