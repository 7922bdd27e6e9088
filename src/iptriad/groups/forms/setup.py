"""The forms for setting a programme up: creating and changing a group, adding and moving members, closing a group,
the programme's sites and formats (the pages are iptriad.groups.views.setup)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.clients.forms import ClinicianChoiceField
from iptriad.clients.models import Client
from iptriad.clients.selectors import client_list
from iptriad.core.instruments import instruments
from iptriad.groups.models import (
    NAME_MAX,
    PLACE_MAX,
    AgeBand,
    Composition,
    Group,
    Setting,
)
from iptriad.groups.selectors.setup import clinicians_of, leaders_of, sites_of
from iptriad.groups.services.setup import MAX_SESSIONS, GroupDetails, TemplateDetails, format_choices
from iptriad.web.widgets import DateInput

LANGUAGE_MAX = 10


class _SiteChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


# ---------------------------------------------------------------------------------------------------------------
# Creating and changing a group


class GroupForm(forms.Form):
    name = forms.CharField(label="Name of the group", max_length=NAME_MAX)
    format_code = forms.ChoiceField(label="Format", widget=forms.RadioSelect)
    starts_on = forms.DateField(label="Date of the first group session", widget=DateInput())
    facilitator = ClinicianChoiceField(label="Facilitator", queryset=None)
    co_facilitator = ClinicianChoiceField(label="Co-facilitator", queryset=None, required=False, empty_label="None")
    supervisor = ClinicianChoiceField(
        label="Supervising clinician",
        queryset=None,
        help_text="Told at once of any risk in the group; clears members held for clinical review.",
    )
    site = _SiteChoiceField(label="Site", queryset=None, required=False, empty_label="None")
    capacity = forms.IntegerField(label="Places in the group", min_value=1, max_value=40, initial=12)
    completed_at_least = forms.IntegerField(
        label="Sessions attended to count as completed",
        min_value=1,
        max_value=MAX_SESSIONS,
        required=False,
        help_text="Leave empty to use the format's number.",
    )
    language = forms.CharField(label="Language (code, such as en or sw)", max_length=LANGUAGE_MAX, initial="en")
    composition = forms.ChoiceField(
        label="Who the group is for", choices=Composition.choices, initial=Composition.MIXED
    )
    age_band = forms.ChoiceField(label="Age band", choices=AgeBand.choices)
    setting = forms.ChoiceField(label="Meets", choices=Setting.choices)
    place = forms.CharField(label="Place (or how to join)", max_length=PLACE_MAX, required=False)

    def __init__(self, *args: Any, actor: Actor, group: Group | None = None, **kwargs: Any) -> None:
        if group is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": group.name,
                    "facilitator": group.facilitator_id,
                    "co_facilitator": group.co_facilitator_id,
                    "supervisor": group.supervisor_id,
                    "site": group.site_id,
                    "capacity": group.capacity,
                    "completed_at_least": group.completed_at_least,
                    "language": group.language,
                    "composition": group.composition,
                    "age_band": group.age_band,
                    "setting": group.setting,
                    "place": group.place,
                },
            )
        super().__init__(*args, **kwargs)
        self.group = group
        leaders = leaders_of(actor)
        self.fields["facilitator"].queryset = leaders  # type: ignore[attr-defined]
        self.fields["co_facilitator"].queryset = leaders  # type: ignore[attr-defined]
        self.fields["supervisor"].queryset = clinicians_of(actor)  # type: ignore[attr-defined]
        self.fields["site"].queryset = sites_of(actor)  # type: ignore[attr-defined]
        if group is None:
            self.fields["format_code"].choices = [  # type: ignore[attr-defined]
                (numbers.code, _format_label(numbers.name, numbers.sessions, numbers.initial_sessions,
                                             numbers.termination_sessions))
                for numbers in format_choices(actor)
            ]  # fmt: skip
            self.fields["starts_on"].initial = timezone.localdate()
        else:  # the format and the schedule stay as created
            del self.fields["format_code"]
            del self.fields["starts_on"]

    def to_details(self) -> GroupDetails:
        data = self.cleaned_data
        return GroupDetails(
            name=data["name"],
            format_code=data["format_code"] if self.group is None else self.group.format_code,
            facilitator=data["facilitator"],
            co_facilitator=data["co_facilitator"],
            supervisor=data["supervisor"],
            starts_on=data["starts_on"] if self.group is None else self.group.starts_on,
            capacity=data["capacity"],
            site=data["site"],
            language=data["language"].strip() or "en",
            composition=data["composition"],
            age_band=data["age_band"],
            setting=data["setting"],
            place=data["place"],
            completed_at_least=data["completed_at_least"],
        )


def _format_label(name: str, sessions: int, initial: int, termination: int) -> str:
    middle = sessions - initial - termination
    return f"{name} ({sessions} sessions: {initial} initial, {middle} middle, {termination} termination)"


# ---------------------------------------------------------------------------------------------------------------
# Members: adding, moving


class MemberAddForm(forms.Form):
    client = forms.IntegerField(label="Client", widget=forms.RadioSelect)

    def __init__(self, *args: Any, actor: Actor, offered: list[Client], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["client"].widget.choices = [
            (client.pk, f"{client.full_name} ({client.identifier})") for client in offered
        ]

    def clean_client(self) -> Client:
        # Any client the actor may see (the service refuses one already in a group, or archived, in plain words).
        client = client_list(actor=self.actor, status="all").filter(pk=self.cleaned_data["client"]).first()
        if client is None:
            raise forms.ValidationError("Choose one of the clients offered.")
        return client


class TransferForm(forms.Form):
    to_group: forms.ModelChoiceField[Group] = forms.ModelChoiceField(label="Move to", queryset=None, empty_label=None)

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_group"].queryset = targets  # type: ignore[attr-defined]
        self.fields["to_group"].label_from_instance = (  # type: ignore[attr-defined]
            lambda group: f"{group.name} ({group.active_members} of {group.capacity} places taken)"
        )


# ---------------------------------------------------------------------------------------------------------------
# Closing a group


class CloseForm(forms.Form):
    pass


# ---------------------------------------------------------------------------------------------------------------
# Sites


class SiteForm(forms.Form):
    name = forms.CharField(label="Name", max_length=NAME_MAX)
    region = forms.CharField(label="Region or district", max_length=NAME_MAX, required=False)


# ---------------------------------------------------------------------------------------------------------------
# Formats


class TemplateForm(forms.Form):
    name = forms.CharField(label="Name", max_length=NAME_MAX)
    sessions = forms.IntegerField(label="Group sessions", min_value=1, max_value=MAX_SESSIONS)
    initial_sessions = forms.IntegerField(label="Sessions in the initial phase", min_value=1, max_value=MAX_SESSIONS)
    termination_sessions = forms.IntegerField(
        label="Sessions in the termination phase", min_value=1, max_value=MAX_SESSIONS
    )
    completed_at_least = forms.IntegerField(
        label="Sessions attended to count as completed", min_value=1, max_value=MAX_SESSIONS
    )
    parent_pre_group = forms.BooleanField(label="A pre-group meeting with a parent too", required=False)
    screening_instrument = forms.ChoiceField(label="Screening questionnaire at the pre-group meeting")
    check_instrument = forms.ChoiceField(label="Symptom check at every session")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(code, known.name) for code, known in sorted(instruments().items())]
        for field in ("screening_instrument", "check_instrument"):
            self.fields[field].choices = choices  # type: ignore[attr-defined]
            self.fields[field].initial = "phq9"

    def to_details(self) -> TemplateDetails:
        return TemplateDetails(**self.cleaned_data)
