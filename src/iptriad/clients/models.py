"""Client records: the people who receive IPT, each belonging to one organisation."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.conf.global_settings import LANGUAGES
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from iptriad.core.ages import AgeGroup, age_group
from iptriad.core.search import search_key

PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{5,18}[0-9]$",
    "Enter a phone number of 7 to 20 digits, spaces, brackets or hyphens, optionally starting with + and the "
    "country code.",
)
IDENTIFIER_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9./_-]*$",
    "Use letters, digits, '.', '/', '_' and '-' only, starting with a letter or digit.",
)


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    NOT_RECORDED = "not_recorded", "Not recorded"


class MessageChannel(models.TextChoices):
    """How the client wants the service's messages (scheduled self-report links and their reminders)."""

    NONE = "none", "No messages"
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message (SMS)"


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class ClientQuerySet(models.QuerySet["Client"]):
    def for_organisation(self, organisation_id: int) -> ClientQuerySet:
        return self.filter(organisation_id=organisation_id)


class Client(models.Model):
    """A person receiving IPT; archived rather than deleted, so the record and its audit stay whole."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="clients")
    identifier = models.CharField(
        max_length=40, validators=[IDENTIFIER_VALIDATOR], help_text="The organisation's own record number."
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=20, choices=Sex.choices, default=Sex.NOT_RECORDED)
    gender = models.CharField(max_length=100, blank=True, help_text="Gender as the client describes it.")
    phone = models.CharField(max_length=20, blank=True, validators=[PHONE_VALIDATOR])
    email = models.EmailField(blank=True)
    preferred_language = models.CharField(max_length=10, choices=LANGUAGES, default="en")
    consent_to_treatment = models.BooleanField(default=False)
    consent_to_treatment_on = models.DateField(null=True, blank=True)
    consent_to_data_use = models.BooleanField(default=False)
    consent_to_data_use_on = models.DateField(null=True, blank=True)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="clients"
    )
    # Messages to the client (scheduled self-report links, reminders): none without a channel and a dated consent,
    # recorded with who recorded it; an opt-out (from a message, or STOP by SMS) stops them until consent is
    # recorded again with a later date.
    message_channel = models.CharField(max_length=10, choices=MessageChannel.choices, default=MessageChannel.NONE)
    consent_to_messages = models.BooleanField(default=False)
    consent_to_messages_on = models.DateField(null=True, blank=True)
    consent_to_messages_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    messages_opted_out_at = models.DateTimeField(null=True, blank=True)
    # Folded "identifier given family" (iptriad.core.search), kept by the services; searched with LIKE
    # on an index that covers it, so a search reads the index rather than every row.
    search_text = models.CharField(max_length=250, default="", editable=False)
    status = models.CharField(max_length=10, choices=ClientStatus.choices, default=ClientStatus.ACTIVE)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ("family_name", "given_name", "pk")
        constraints = [
            models.UniqueConstraint(fields=("organisation", "identifier"), name="client_identifier_unique_in_org"),
            # "a-0001" and "A-0001" are one client's identifier (issue 16, item 8); the case typed is kept.
            models.UniqueConstraint(
                "organisation", Lower("identifier"), name="client_identifier_unique_in_org_any_case"
            ),
            models.CheckConstraint(
                condition=models.Q(consent_to_treatment=False) | models.Q(consent_to_treatment_on__isnull=False),
                name="client_treatment_consent_is_dated",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_to_data_use=False) | models.Q(consent_to_data_use_on__isnull=False),
                name="client_data_use_consent_is_dated",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_to_messages=False) | models.Q(consent_to_messages_on__isnull=False),
                name="client_messages_consent_is_dated",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ClientStatus.ACTIVE, archived_at__isnull=True)
                | models.Q(status=ClientStatus.ARCHIVED, archived_at__isnull=False),
                name="client_archived_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=("organisation", "status", "family_name", "given_name"), name="client_org_by_name"),
            models.Index(fields=("organisation", "therapist", "status"), name="client_org_by_therapist"),
            models.Index(fields=("organisation", "status", "search_text"), name="client_org_search"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.identifier})"

    def refresh_search_text(self) -> None:
        self.search_text = search_key(self.identifier, self.given_name, self.family_name)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def may_be_messaged(self) -> bool:
        """Consent recorded, not opted out since, an active record, and an address for the channel chosen."""
        return (
            self.consent_to_messages
            and self.messages_opted_out_at is None
            and not self.is_archived
            and bool(self.message_address)
        )

    @property
    def message_address(self) -> str:
        """Where the client's messages go on the chosen channel ("" when no channel or no address)."""
        if self.message_channel == MessageChannel.EMAIL:
            return self.email
        if self.message_channel == MessageChannel.SMS:
            return self.phone
        return ""

    @property
    def is_archived(self) -> bool:
        return self.status == ClientStatus.ARCHIVED

    def age_group_on(self, day: dt.date) -> AgeGroup:
        return age_group(self.date_of_birth, day)

    @property
    def age_group(self) -> AgeGroup:
        return self.age_group_on(timezone.localdate())
