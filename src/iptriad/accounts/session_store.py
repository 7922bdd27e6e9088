"""Django's database sessions, telling the signed-in sessions list when a session gets a new key.

A session's key changes after the authenticator code and at re-authentication (against fixation); the row that
lists the session for its owner (iptriad.accounts.signed_in) moves to the new key in the same breath, so the list
never loses a live session.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def cycle_key(self) -> None:
        old_key = self.session_key
        super().cycle_key()
        if old_key is not None:
            from iptriad.accounts.models import SignedInSession  # the models load after the session engine

            SignedInSession.objects.filter(session_key=old_key).update(session_key=self.session_key)
