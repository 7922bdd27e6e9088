"""Forms for the initial part of a course: they parse and type the input; the services decide what is valid.

Hints quote ipt-protocol.md (§3.1 for the assessment, §4.2 for the inventory, §4.4 for the timeline, §1.3 for
the clinical Interpersonal Triad).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from iptriad.core.details import details_from, field_names
from iptriad.core.protocol import protocol
from iptriad.core.protocol.closeness import DEFAULT_RINGS, MAX_RINGS
from iptriad.courses.models import Assessment, InventoryPerson, TimelineEvent, Triad
from iptriad.courses.models.initial import RiskScreen, TimelineKind
from iptriad.courses.services.initial import AssessmentDetails, EventDetails, PersonDetails, TriadDetails
from iptriad.web.widgets import DateInput

TEXT = {"rows": 3}
YES_NO_UNKNOWN = (("", "Not known yet"), ("yes", "Yes"), ("no", "No"))
RING_CHOICES = [
    (1, "Ring 1: the closest"),
    *((ring, f"Ring {ring}") for ring in range(2, DEFAULT_RINGS + 1)),
    *(
        (ring, f"Ring {ring}: further out (adds a ring to the circle)")
        for ring in range(DEFAULT_RINGS + 1, MAX_RINGS + 1)
    ),
]
CLOCK = {0: "12 o'clock (top)", 90: "3 o'clock (right)", 180: "6 o'clock (bottom)", 270: "9 o'clock (left)"}
ANGLE_CHOICES = [
    ("", "Place automatically, evenly around the ring"),
    *((str(float(hour * 30)), CLOCK.get(hour * 30, f"{hour or 12} o'clock")) for hour in range(12)),
]


class _RecordForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form that only parses: the record is validated and saved by the service, never by the form."""

    def __init__(self, *args: Any, read_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if read_only:  # a closed course: the page shows the record, nothing can be sent
            for field in self.fields.values():
                field.disabled = True

    def _post_clean(self) -> None:
        # No construct_instance and no model validation: the page's instance stays as stored, and the service
        # gives messages that say what to fix (the database constraints back it up).
        pass


def _yes_no_unknown(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        choices=YES_NO_UNKNOWN,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
    )


class AssessmentForm(_RecordForm):
    suicide_risk_screen = forms.ChoiceField(
        label="Suicide risk screen",
        required=False,
        choices=[("", "Not screened yet"), *RiskScreen.choices],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Assessment
        fields = field_names(AssessmentDetails)
        widgets = {
            "presenting_problems": forms.Textarea(attrs=TEXT),
            "episode_history": forms.Textarea(attrs=TEXT),
            "medication": forms.Textarea(attrs=TEXT),
            "suicide_risk_notes": forms.Textarea(attrs=TEXT),
            "sick_role_notes": forms.Textarea(attrs=TEXT),
            "assessed_on": DateInput(),
            "sick_role_given_on": DateInput(),
            "sick_role_reviewed_on": DateInput(),
            "psychoeducation_given_on": DateInput(),
        }
        labels = {
            "diagnosis_label": "Diagnosis",
            "episode_history": "History of episodes",
            "medication": "Medication",
            "suicide_risk_notes": "Notes on the risk screen",
            "assessed_on": "Assessed on",
            "sick_role_given_on": "Sick role given on",
            "sick_role_notes": "Notes on the sick role",
            "sick_role_reviewed_on": "Sick role reviewed and withdrawn on",
            "psychoeducation_given_on": "Psychoeducation given on",
        }
        help_texts = {
            "presenting_problems": "The symptoms and problems the client comes with.",
            "diagnosis_label": "Confirmed against DSM or ICD criteria, and told to the client plainly.",
            "episode_history": "Past episodes, their course and what helped; family and social history.",
            "medication": "Current medication, and whether medication is needed.",
            "sick_role_given_on": (
                "The client is temporarily excused from some duties, as with a physical illness, and in return "
                "works toward recovery."
            ),
            "sick_role_reviewed_on": (
                "The sick role is time-limited: as the client improves, and by the midpoint of the contract at the "
                "latest, review it with them and hand back the duties it excused."
            ),
            "psychoeducation_given_on": (
                "The symptom cluster, how depression affects relationships and what to expect from treatment."
            ),
        }

    def to_details(self) -> AssessmentDetails:
        return details_from(AssessmentDetails, self.cleaned_data)


class PersonForm(_RecordForm):
    ring = forms.TypedChoiceField(
        label="Closeness ring",
        choices=RING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="Where the client places this person on the closeness circle, by felt closeness.",
        error_messages={"required": "Choose the ring where the client places this person."},
    )
    angle = forms.TypedChoiceField(
        label="Position on the ring",
        required=False,
        choices=ANGLE_CHOICES,
        coerce=float,
        empty_value=None,
        help_text="To draw the circle as the client drew it.",
    )
    knows_about_depression = _yes_no_unknown("Does this person know the client is depressed?")
    can_ask_for_support = _yes_no_unknown("Can the client ask this person for support?")
    linked_problem_area = forms.ChoiceField(label="Linked problem area", required=False)

    class Meta:
        model = InventoryPerson
        fields = field_names(PersonDetails)
        widgets = {
            name: forms.Textarea(attrs=TEXT)
            for name in (
                "contact",
                "satisfying",
                "unsatisfying",
                "communication",
                "feelings",
                "expectations",
                "support",
                "change_since_onset",
                "desired_change",
            )
        }
        labels = {
            "relationship_detail": "About the relationship",
            "contact": "Contact",
            "satisfying": "Satisfying aspects",
            "unsatisfying": "Unsatisfying aspects",
            "communication": "Communication",
            "feelings": "Feelings",
            "expectations": "Expectations",
            "support": "Support",
            "change_since_onset": "Change since the onset",
            "desired_change": "Desired change",
            "focus_candidate": "A candidate for the focus of treatment",
        }
        help_texts = {
            "relationship_detail": "For example: mother-in-law, neighbour, teacher. Needed when the relationship is "
            "'Other'.",
            "contact": "How often and how (in person, phone); time spent together; activities shared.",
            "satisfying": "What the client likes or values in this person and relationship.",
            "unsatisfying": "What the client dislikes; conflicts (how often, what happens, resolved or dropped).",
            "communication": "What the client can and cannot talk about with them, and why.",
            "feelings": "How the client feels with them (happy, sad, angry) and what triggers those feelings.",
            "expectations": (
                "What the client expects of the person; what the person expects of the client (as the client sees "
                "it); whether these are met and reciprocal."
            ),
            "support": "Emotional or practical help available.",
            "change_since_onset": "How the relationship has changed since the depression began.",
            "desired_change": "What the client would like to change in the relationship.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["linked_problem_area"].choices = [  # type: ignore[attr-defined]
            ("", "None"),
            *((area.code.value, area.name) for area in protocol().problem_areas),
        ]
        angle = self.instance.angle
        if angle is not None and str(float(angle)) not in dict(ANGLE_CHOICES):
            # Placed elsewhere (by an import or a drawing tool): keep it on offer so saving does not move it.
            self.fields["angle"].choices = [  # type: ignore[attr-defined]
                *ANGLE_CHOICES,
                (str(float(angle)), f"Where it is now ({angle:g}°)"),
            ]
        if self.instance.pk is None:
            self.initial.pop("ring", None)  # felt closeness is asked, never assumed
        for name in ("knows_about_depression", "can_ask_for_support"):
            self.initial[name] = {True: "yes", False: "no"}.get(getattr(self.instance, name), "")

    def to_details(self) -> PersonDetails:
        return details_from(PersonDetails, self.cleaned_data)


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_relationship_display().lower()})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_relationship_display().lower()})"


class EventForm(_RecordForm):
    kind = forms.ChoiceField(label="What happened", choices=TimelineKind.choices, widget=forms.RadioSelect)

    class Meta:
        model = TimelineEvent
        fields = field_names(EventDetails)
        field_classes = {"person": PersonChoiceField}
        widgets = {"occurred_on": DateInput(), "description": forms.Textarea(attrs=TEXT)}
        labels = {"occurred_on": "Date", "description": "Description", "person": "Who it is about"}
        help_texts = {
            "occurred_on": "When it happened; if only the month is known, use its first day.",
            "description": "For example: a death, a move, a conflict, a change of role; or how the symptoms changed.",
        }

    def __init__(self, *args: Any, people: QuerySet[InventoryPerson], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        person.queryset = people  # type: ignore[attr-defined]
        person.empty_label = "Nobody in particular"  # type: ignore[attr-defined]
        person.help_text = "A person of the interpersonal inventory, if the event is about one."

    def to_details(self) -> EventDetails:
        return details_from(EventDetails, self.cleaned_data)


class TriadForm(_RecordForm):
    class Meta:
        model = Triad
        fields = field_names(TriadDetails)
        field_classes = {"support_people": PeopleChoiceField}
        widgets = {
            **{
                name: forms.Textarea(attrs=TEXT)
                for name in (
                    "acute_crisis",
                    "biological_vulnerabilities",
                    "psychological_vulnerabilities",
                    "social_vulnerabilities",
                    "social_support",
                )
            },
            "support_people": forms.CheckboxSelectMultiple,
        }
        labels = {
            "acute_crisis": "Acute interpersonal crisis",
            "biological_vulnerabilities": "Biological vulnerabilities",
            "psychological_vulnerabilities": "Psychological vulnerabilities",
            "social_vulnerabilities": "Social, cultural and spiritual vulnerabilities",
            "social_support": "Social support",
            "support_people": "Support people from the interpersonal inventory",
        }
        help_texts = {
            "acute_crisis": "The interpersonal crisis now: grief and loss, a dispute or a role transition.",
            "biological_vulnerabilities": "For example genetic loading, temperament, medical illness.",
            "psychological_vulnerabilities": "For example attachment style, personality, communication style.",
            "social_vulnerabilities": "The social context, culture and spirituality that leave the client vulnerable.",
            "social_support": "Whether the client has, and can use, a supportive network.",
        }

    def __init__(self, *args: Any, people: QuerySet[InventoryPerson], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["support_people"].queryset = people  # type: ignore[attr-defined]

    def to_details(self) -> TriadDetails:
        return details_from(TriadDetails, self.cleaned_data, support_people=tuple(self.cleaned_data["support_people"]))
