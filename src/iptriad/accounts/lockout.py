"""Login lockout per account across addresses, on top of django-axes' lockout per account and address.

axes counts failures for an e-mail address and a client address together (5 in 15 minutes lock that pair). A
guesser who spreads over many addresses never reaches that, so failures for the account from every address
are counted too, with a higher limit and a short cool-off (issue 16, item 8): enough to stop spraying, too short
for anyone to keep a person locked out for long by typing wrong passwords for them. Only failures in the last
IPTRIAD_LOGIN_ACCOUNT_LOCKOUT_MINUTES count: the account opens again that long after the last one.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler  # type: ignore[import-untyped]
from axes.helpers import get_client_username  # type: ignore[import-untyped]
from axes.models import AccessAttempt  # type: ignore[import-untyped]
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


class AccountLockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        pair: int = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        if not username:
            return pair
        since = timezone.now() - settings.LOGIN_ACCOUNT_COOLOFF
        recent = (
            AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
                total=Sum("failures_since_start")
            )["total"]
            or 0
        )
        if recent >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            return max(pair, int(settings.AXES_FAILURE_LIMIT))  # locked: axes refuses at its own limit
        return pair
