"""The times a session keeps about its own sign-in: when it logged in, was last used, last proved who it is.

Stored as whole seconds since the epoch in the session, so the idle and absolute limits and the
re-authentication window need no extra table and work across app servers (sessions live in the database).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

LOGIN_AT_KEY = "iptriad_login_at"
LAST_SEEN_KEY = "iptriad_last_seen"
AUTHENTICATED_AT_KEY = "iptriad_authenticated_at"

# The last-seen stamp moves at most this often: a session write per request would cost a query each time.
LAST_SEEN_RESOLUTION_SECONDS = 60


def now_seconds() -> int:
    return int(timezone.now().timestamp())


def mark_login(session: SessionBase) -> None:
    """A fresh login: every clock starts now (the password was just typed)."""
    now = now_seconds()
    session[LOGIN_AT_KEY] = now
    session[LAST_SEEN_KEY] = now
    session[AUTHENTICATED_AT_KEY] = now


def mark_authenticated(session: SessionBase) -> None:
    session[AUTHENTICATED_AT_KEY] = now_seconds()


def expiry_reason(session: SessionBase) -> str | None:
    """Why this logged-in session has ended, or None while it is still good."""
    now = now_seconds()
    login_at = session.get(LOGIN_AT_KEY)
    last_seen = session.get(LAST_SEEN_KEY)
    if not isinstance(login_at, int) or not isinstance(last_seen, int):
        return "unknown"  # a session from before these limits, or tampered: start again
    if now - login_at > settings.SESSION_COOKIE_AGE:
        return "absolute"
    if now - last_seen > settings.SESSION_IDLE_SECONDS:
        return "idle"
    return None


def touch(session: SessionBase) -> None:
    """Record activity, writing the session only when the stamp is a minute old or more."""
    now = now_seconds()
    last_seen = session.get(LAST_SEEN_KEY)
    if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
        session[LAST_SEEN_KEY] = now


def recently_authenticated(session: SessionBase) -> bool:
    authenticated_at = session.get(AUTHENTICATED_AT_KEY)
    return isinstance(authenticated_at, int) and now_seconds() - authenticated_at <= settings.REAUTHENTICATION_SECONDS
