"""What a client is told, after a risk answer, about who will see it and when.

Only the app that sends the messages (notifications, above measures) knows who was sent one and when the alert
escalates, so it registers the words when it starts (its AppConfig.ready) and the self-report pages ask here. With
nothing registered the page says only what measures itself makes true: the alert waits in iptriad for the
clinicians who sign in.
"""

from __future__ import annotations

from collections.abc import Callable

from iptriad.measures.models import SelfReportLink

# (the link the risk answer came on) -> sentences for the client, each plain and true at the time it is read
AlertNotice = Callable[[SelfReportLink], list[str]]


def _waits_in_iptriad(link: SelfReportLink) -> list[str]:
    return [
        f"Your answer is waiting for your therapist at {link.organisation.name}: they see it when they next sign in."
    ]


_notice: list[AlertNotice] = [_waits_in_iptriad]


def register(notice: AlertNotice) -> None:
    """Called once from the registering app's ready(); registering again replaces it (tests reload apps)."""
    _notice[0] = notice


def alert_notice(link: SelfReportLink) -> list[str]:
    return _notice[0](link)
