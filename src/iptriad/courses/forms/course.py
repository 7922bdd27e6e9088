"""Forms of the course itself: opening, phase changes, closing. Each part of the course has its own forms module."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.selectors import clinicians_of_organisation
from iptriad.clients.forms import ClinicianChoiceField
from iptriad.clients.models import Client
from iptriad.clients.permissions import client_policy
from iptriad.core.limits import NOTE_MAX, PHASE_NOTE_MAX
from iptriad.core.protocol import Phase, protocol
from iptriad.courses.models.course import EndReasonChoice
from iptriad.web.widgets import DateInput


class CourseOpenForm(forms.Form):
    adaptation = forms.ChoiceField(label="Adaptation of IPT")
    opened_on = forms.DateField(label="Start date", widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args: Any, actor: Actor, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adaptation"].choices = [  # type: ignore[attr-defined]
            (a.id, f"{a.name} ({a.sessions})") for a in protocol().adaptations
        ]
        adolescent = client.age_group == "adolescent"
        self.fields["adaptation"].initial = "ipt_a" if adolescent else "standard"
        clinicians = clinicians_of_organisation(organisation=actor.organisation)
        if not client_policy.may_assign_any_therapist(actor):
            clinicians = clinicians.filter(pk=actor.member().pk)
        # Added here, after the adaptation and before the date, because its choices depend on the actor.
        fields = list(self.fields.items())
        fields.insert(
            1,
            (
                "therapist",
                ClinicianChoiceField(
                    queryset=clinicians, empty_label=None, initial=client.therapist_id or actor.user_id
                ),
            ),
        )
        self.fields = dict(fields)


class PhaseChangeForm(forms.Form):
    to_phase = forms.ChoiceField(
        choices=[(p.value, p.value) for p in (Phase.MIDDLE, Phase.TERMINATION, Phase.MAINTENANCE)]
    )
    note = forms.CharField(required=False, max_length=PHASE_NOTE_MAX)


class CourseCloseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the course ending?", choices=EndReasonChoice.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    closed_on = forms.DateField(label="End date", widget=DateInput(), initial=timezone.localdate)
