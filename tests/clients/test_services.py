import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.clients import services
from iptriad.clients.models import Client, ClientStatus
from iptriad.clients.services import ClientDetails, client_archive, client_create, client_reactivate, client_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


def details(**changes: object) -> ClientDetails:
    base = ClientDetails(
        identifier="A-0100",
        given_name="Jules",
        family_name="Exampleford",
        date_of_birth=dt.date(1985, 3, 2),
        sex="female",
        gender="",
        phone="+44 7700 900123",
        email="jules@example.org",
        preferred_language="en",
        consent_to_treatment=True,
        consent_to_treatment_on=dt.date(2026, 11, 1),
        consent_to_data_use=False,
        consent_to_data_use_on=None,
        therapist=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


class TestClientCreate:
    def test_it_creates_the_client_in_the_actors_organisation_and_audits_it(self, personas):
        actor = personas.actor(personas.supervisor_a)
        client = client_create(actor=actor, details=details(therapist=personas.therapist_a))
        assert client.organisation == personas.org_a
        assert client.therapist == personas.therapist_a
        event = AuditEvent.objects.get(action=AuditAction.CLIENT_CREATED, object_id=str(client.pk))
        assert (event.organisation, event.actor, event.object_type) == (personas.org_a, personas.supervisor_a, "client")

    def test_it_assigns_a_therapists_new_client_to_them(self, personas):
        client = client_create(actor=personas.actor(personas.therapist_a), details=details())
        assert client.therapist == personas.therapist_a

    def test_it_refuses_a_therapist_assigning_to_a_colleague(self, personas):
        with pytest.raises(ValidationError) as excinfo:
            client_create(actor=personas.actor(personas.therapist_a), details=details(therapist=personas.therapist_a2))
        assert errors_of(excinfo) == {"therapist": [services.ERROR_THERAPIST_NOT_SELF]}

    @pytest.mark.parametrize("who", ["therapist_b", "facilitator_a", "admin_a"])
    def test_it_refuses_a_therapist_who_is_not_a_clinician_of_the_organisation(self, personas, who):
        with pytest.raises(ValidationError) as excinfo:
            client_create(actor=personas.actor(personas.admin_a), details=details(therapist=getattr(personas, who)))
        assert errors_of(excinfo) == {"therapist": [services.ERROR_THERAPIST_NOT_CLINICIAN]}

    def test_it_refuses_an_identifier_already_used_in_the_organisation(self, personas):
        with pytest.raises(ValidationError) as excinfo:
            client_create(actor=personas.actor(personas.admin_a), details=details(identifier="A-0001"))
        assert errors_of(excinfo) == {"identifier": [services.ERROR_IDENTIFIER_TAKEN]}

    def test_it_allows_the_same_identifier_in_another_organisation(self, personas):
        client = client_create(actor=personas.actor(personas.admin_a), details=details(identifier="B-0001"))
        assert Client.objects.filter(identifier="B-0001").count() == 2
        assert client.organisation == personas.org_a

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"date_of_birth": dt.date(2026, 11, 27)}, "date_of_birth", services.ERROR_BIRTH_IN_FUTURE),
            ({"date_of_birth": dt.date(1900, 1, 1)}, "date_of_birth", services.ERROR_BIRTH_TOO_EARLY),
            ({"consent_to_treatment_on": None}, "consent_to_treatment_on", services.ERROR_CONSENT_UNDATED),
            (
                {"consent_to_treatment_on": dt.date(2026, 11, 27)},
                "consent_to_treatment_on",
                services.ERROR_CONSENT_IN_FUTURE,
            ),
            (
                {"consent_to_treatment_on": dt.date(1980, 1, 1)},
                "consent_to_treatment_on",
                services.ERROR_CONSENT_BEFORE_BIRTH,
            ),
            (
                {"consent_to_data_use_on": dt.date(2026, 1, 1)},
                "consent_to_data_use_on",
                services.ERROR_CONSENT_DATE_WITHOUT_CONSENT,
            ),
        ],
    )
    def test_it_refuses_impossible_dates_and_writes_nothing(self, personas, changes, field, message):
        before = (Client.objects.count(), AuditEvent.objects.count())
        with pytest.raises(ValidationError) as excinfo:
            client_create(actor=personas.actor(personas.admin_a), details=details(**changes))
        assert errors_of(excinfo) == {field: [message]}
        assert (Client.objects.count(), AuditEvent.objects.count()) == before

    def test_it_refuses_a_facilitator(self, personas):
        with pytest.raises(PermissionDenied):
            client_create(actor=personas.actor(personas.facilitator_a), details=details())


class TestClientUpdate:
    def test_it_audits_the_names_of_changed_fields_but_not_their_values(self, personas):
        actor = personas.actor(personas.therapist_a)
        current = details(
            identifier="A-0001",
            given_name="Casey",
            family_name="Alphason",
            date_of_birth=dt.date(1990, 4, 1),
            consent_to_treatment_on=dt.date(2026, 1, 5),
            therapist=personas.therapist_a,
            phone="",
            email="",
            sex="not_recorded",
        )
        client_update(actor=actor, client=personas.client_a, details=dataclasses.replace(current, given_name="Kasey"))
        event = AuditEvent.objects.get(action=AuditAction.CLIENT_UPDATED)
        assert event.detail == {"fields": ["given_name"]}
        assert "Kasey" not in str(event.detail)
        personas.client_a.refresh_from_db()
        assert personas.client_a.given_name == "Kasey"

    def test_it_refuses_a_therapist_updating_a_colleagues_client(self, personas):
        with pytest.raises(PermissionDenied):
            client_update(actor=personas.actor(personas.therapist_a2), client=personas.client_a, details=details())

    def test_it_refuses_another_organisation(self, personas):
        with pytest.raises(PermissionDenied):
            client_update(
                actor=personas.actor(personas.admin_b, personas.org_b), client=personas.client_a, details=details()
            )


class TestClientArchive:
    def test_it_archives_and_reactivates_with_audit(self, personas):
        actor = personas.actor(personas.supervisor_a)
        client = client_archive(actor=actor, client=personas.client_a)
        assert client.status == ClientStatus.ARCHIVED
        assert client.archived_at is not None
        with pytest.raises(ValidationError, match=services.ERROR_ALREADY_ARCHIVED):
            client_archive(actor=actor, client=client)
        client = client_reactivate(actor=actor, client=client)
        assert (client.status, client.archived_at) == (ClientStatus.ACTIVE, None)
        actions = list(AuditEvent.objects.filter(object_type="client").values_list("action", flat=True))
        assert actions == [AuditAction.CLIENT_REACTIVATED, AuditAction.CLIENT_ARCHIVED]

    def test_it_never_deletes(self, personas):
        client_archive(actor=personas.actor(personas.admin_a), client=personas.client_a)
        assert Client.objects.filter(pk=personas.client_a.pk).exists()
