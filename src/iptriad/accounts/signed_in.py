"""Where a person is signed in: one row per browser session, kept in step with the session (ASVS 7.5.2, 7.1.2).

There is no limit on parallel sessions (a therapist may use a desktop and a tablet); instead every person sees
their sessions on their account page and ends any of them, and a password change ends every other one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from iptriad.accounts.actors import client_ip
from iptriad.accounts.models import SignedInSession, User
from iptriad.accounts.services import audit_auth_event
from iptriad.audit.models import AuditAction

RECORD_KEY = "iptriad_signed_in"  # the row's id, kept in the session (it survives a new session key)
SEEN_AT_KEY = "iptriad_signed_in_seen"  # when the row's last-seen time was last moved (seconds since the epoch)
# The row's last-seen time moves at most this often, so most requests write nothing.
LAST_SEEN_RESOLUTION = dt.timedelta(minutes=5)
USER_AGENT_LENGTH = 200


def start(request: HttpRequest, user: User) -> None:
    """A login: a row for this session (its key is the new one Django gave at login)."""
    session = request.session
    if session.session_key is None:
        session.save()
    key = str(session.session_key)
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]
    record, _ = SignedInSession.objects.update_or_create(
        session_key=key,
        defaults={"user": user, "ip_address": client_ip(request), "user_agent": user_agent},
    )
    session[RECORD_KEY] = record.pk
    # Sessions that timed out or were cleared leave their rows: a login is the moment to drop them.
    SignedInSession.objects.filter(user=user).exclude(session_key__in=_live_session_keys()).delete()
    session[SEEN_AT_KEY] = int(timezone.now().timestamp())


def follow(request: HttpRequest) -> None:
    """On a signed-in request: move the row's last-seen time along, at most every few minutes, so most requests
    run no query for it (its key follows the session's: iptriad.accounts.session_store)."""
    session = request.session
    record_id = session.get(RECORD_KEY)
    if not isinstance(record_id, int):
        return  # a session from before this table: it shows once the person signs in again
    now = timezone.now()
    seen = session.get(SEEN_AT_KEY)
    if isinstance(seen, int) and now.timestamp() - seen < LAST_SEEN_RESOLUTION.total_seconds():
        return
    SignedInSession.objects.filter(pk=record_id).update(last_seen_at=now)
    session[SEEN_AT_KEY] = int(now.timestamp())


def forget(request: HttpRequest) -> None:
    """A logout: the row goes with the session."""
    record_id = request.session.get(RECORD_KEY)
    if isinstance(record_id, int):
        SignedInSession.objects.filter(pk=record_id).delete()


def _live_session_keys() -> QuerySet[Session, Any]:
    return Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")


def signed_in_sessions(user: User) -> list[SignedInSession]:
    """The person's live sessions, most recent first: one query, and a read writes nothing (rows of sessions that
    ended without a logout are cleared when the person next signs in)."""
    return list(SignedInSession.objects.filter(user=user, session_key__in=_live_session_keys()))


@transaction.atomic
def signed_in_session_end(*, request: HttpRequest, user: User, record_id: int) -> bool:
    """End one of the person's other sessions; False when it is not theirs, already gone, or this one."""
    record = SignedInSession.objects.select_for_update().filter(pk=record_id, user=user).first()
    if record is None or record.session_key == request.session.session_key:
        return False
    Session.objects.filter(session_key=record.session_key).delete()
    record.delete()
    audit_auth_event(
        user=user, action=AuditAction.OWN_SESSIONS_ENDED, ip_address=client_ip(request), detail={"sessions_ended": 1}
    )
    return True


@transaction.atomic
def signed_in_sessions_end_others(*, request: HttpRequest, user: User) -> int:
    """End every session of the person but this one."""
    others = SignedInSession.objects.filter(user=user).exclude(session_key=request.session.session_key)
    keys = list(others.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    ended = len(keys)
    others.delete()
    audit_auth_event(
        user=user,
        action=AuditAction.OWN_SESSIONS_ENDED,
        ip_address=client_ip(request),
        detail={"sessions_ended": ended},
    )
    return ended
