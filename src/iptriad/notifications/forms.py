from __future__ import annotations

from typing import Any

from django import forms

from iptriad.notifications.models import Channel, MessageState, NotificationSettings
from iptriad.notifications.models.settings import MINUTES_MAX, MINUTES_MIN, REMINDER_COUNT_MAX


class NotificationSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = NotificationSettings
        fields = (
            "alert_escalation_minutes",
            "on_call_email",
            "quiet_hours_start",
            "quiet_hours_end",
            "link_lead_days",
            "link_valid_days",
            "reminder_after_days",
            "reminder_count",
            "sms_enabled",
        )
        labels = {
            "alert_escalation_minutes": "Tell supervisors after (minutes)",
            "on_call_email": "On-call e-mail address",
            "quiet_hours_start": "Quiet hours start",
            "quiet_hours_end": "Quiet hours end",
            "link_lead_days": "Send scheduled links (days before the session)",
            "link_valid_days": "Links stay open for (days)",
            "reminder_after_days": "Remind after (days)",
            "reminder_count": "Reminders",
            "sms_enabled": "SMS to clients who chose it",
        }
        widgets = {
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        minutes = self.fields["alert_escalation_minutes"]
        minutes.help_text = (
            f"If nobody opens or closes a risk alert within this time ({MINUTES_MIN} to {MINUTES_MAX} minutes), "
            "supervisors are told; then the administrators or the on-call address."
        )
        self.fields["reminder_count"].help_text = f"0 to {REMINDER_COUNT_MAX} reminders after a link is due."


class MessageFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *MessageState.choices])
    kind = forms.CharField(required=False, max_length=40)
    channel = forms.ChoiceField(required=False, choices=[("", "Any channel"), *Channel.choices])
