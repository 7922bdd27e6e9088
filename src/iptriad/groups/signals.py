"""What groups hears from the apps below: a risk alert opened in a member's group context holds the member."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from iptriad.groups.services.members import member_hold_for_alert
from iptriad.measures.models import RiskAlert
from iptriad.measures.signals import risk_alert_opened


@receiver(risk_alert_opened, dispatch_uid="iptriad_groups_hold_member_on_alert")
def hold_member_on_alert(sender: type[RiskAlert], alert: RiskAlert, **kwargs: Any) -> None:
    """In the alert's transaction: the member is held out of the group until a clinician clears them, and the
    referral to the supervising clinician is logged. The notifications app tells that clinician at once."""
    member_hold_for_alert(alert)
