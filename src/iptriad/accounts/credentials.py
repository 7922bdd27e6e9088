"""What accounts tells the apps above it when a person's access ends, so that they end what they issued.

The API's personal tokens live in iptriad.api, above accounts: accounts sends `access_ended` and the API
revokes the tokens (iptriad.api.signals), in the same transaction as the change that caused it, audited there.
"""

from __future__ import annotations

from enum import StrEnum

from django.dispatch import Signal


class AccessEnded(StrEnum):
    """Why a person's credentials end; kept in the audit detail of each revocation."""

    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a password
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a reason, not a password
    MEMBERSHIP_DEACTIVATED = "membership_deactivated"
    USER_DEACTIVATED = "user_deactivated"


# Sent with: user (whose access ended), organisation (only there; None: everywhere), reason (AccessEnded),
# by (the member who acted; None for the operator) and ip_address.
access_ended = Signal()
