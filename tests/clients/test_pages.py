import datetime as dt

import pytest
from django.urls import reverse

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.clients.models import Client, ClientStatus
from tests.conftest import logged_in, make_client

pytestmark = pytest.mark.django_db

VALID_FORM = {
    "identifier": "A-0200",
    "given_name": "Noor",
    "family_name": "Placeholm",
    "date_of_birth": "1979-08-30",
    "sex": "female",
    "gender": "",
    "phone": "",
    "email": "",
    "preferred_language": "en",
    "consent_to_treatment": "on",
    "consent_to_treatment_on": "2026-10-01",
    "consent_to_data_use_on": "",
    "therapist": "",
}


def test_it_lists_only_the_therapists_own_clients(personas):
    make_client(personas.org_a, "A-0002", personas.therapist_a2, family_name="Colleagueson")
    page = logged_in(personas.therapist_a).get(reverse("client-list"))
    assert page.status_code == 200
    assert b"Alphason" in page.content
    assert b"Colleagueson" not in page.content
    assert b"Betason" not in page.content


def test_it_searches_by_name_and_identifier(personas):
    make_client(personas.org_a, "A-0777", personas.therapist_a, given_name="Morgan", family_name="Testwick")
    http = logged_in(personas.supervisor_a)
    by_name = http.get(reverse("client-list"), {"q": "testw"})
    by_identifier = http.get(reverse("client-list"), {"q": "a-0001"})
    assert b"Testwick" in by_name.content
    assert b"Alphason" not in by_name.content
    assert b"Alphason" in by_identifier.content
    assert b"Testwick" not in by_identifier.content


def test_it_answers_htmx_with_the_results_fragment_only(personas):
    page = logged_in(personas.supervisor_a).get(reverse("client-list"), {"q": "alpha"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in page.content
    assert b"Alphason" in page.content


def test_it_paginates_and_tolerates_a_bad_page_number(personas, settings):
    settings.PAGE_SIZE = 2
    for number in range(5):
        make_client(personas.org_a, f"A-1{number}", personas.therapist_a, family_name=f"Zed{number}")
    http = logged_in(personas.supervisor_a)
    assert b"Page 3 of 3" in http.get(reverse("client-list"), {"page": "3"}).content
    assert b"Page 3 of 3" in http.get(reverse("client-list"), {"page": "99"}).content
    assert b"Page 1 of 3" in http.get(reverse("client-list"), {"page": "x'; drop table"}).content


def test_it_filters_archived_clients_and_ignores_an_unknown_status(personas):
    make_client(
        personas.org_a,
        "A-0003",
        personas.therapist_a,
        family_name="Gonewell",
        status=ClientStatus.ARCHIVED,
        archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    http = logged_in(personas.supervisor_a)
    assert b"Gonewell" not in http.get(reverse("client-list")).content
    assert b"Gonewell" in http.get(reverse("client-list"), {"status": "archived"}).content
    unknown = http.get(reverse("client-list"), {"status": "status' OR 1=1"})
    assert unknown.status_code == 200
    assert b"Gonewell" not in unknown.content


def test_it_records_every_view_of_a_client_record(personas):
    logged_in(personas.therapist_a).get(reverse("client-detail", args=[personas.client_a.pk]), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_VIEWED)
    assert (event.actor, event.organisation, event.object_id, event.ip_address) == (
        personas.therapist_a,
        personas.org_a,
        str(personas.client_a.pk),
        "10.1.2.3",
    )


def test_it_records_which_clients_a_list_showed_but_not_the_search_text(personas):
    logged_in(personas.therapist_a).get(reverse("client-list"), {"q": "Casey"})
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_LISTED)
    assert event.detail == {"client_ids": [personas.client_a.pk], "page": 1, "searched": True}


def test_it_creates_a_client_from_the_form(personas):
    response = logged_in(personas.therapist_a).post(reverse("client-create"), VALID_FORM)
    client = Client.objects.get(identifier="A-0200")
    assert response.status_code == 302
    assert response["Location"] == reverse("client-detail", args=[client.pk])
    assert client.therapist == personas.therapist_a


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"identifier": "A-0001"}, "Another client of this organisation already has this identifier"),
        ({"date_of_birth": "31/02/1990"}, "Enter a valid date."),
        ({"consent_to_treatment_on": ""}, "Give the date consent was given."),
        ({"phone": "call me"}, "Enter a phone number of 7 to 20 digits"),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"given_name": ""}, "This field is required."),
        ({"identifier": "has spaces"}, "Use letters, digits"),
        ({"sex": "unknown-value"}, "Select a valid choice."),
        ({"therapist": "999999"}, "Select a valid choice."),
    ],
)
def test_it_refuses_bad_input_with_a_message_and_writes_nothing(personas, changes, message):
    before = (Client.objects.count(), AuditEvent.objects.filter(action=AuditAction.CLIENT_CREATED).count())
    response = logged_in(personas.therapist_a).post(reverse("client-create"), {**VALID_FORM, **changes})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert b"error-summary" in response.content
    after = (Client.objects.count(), AuditEvent.objects.filter(action=AuditAction.CLIENT_CREATED).count())
    assert after == before


def test_it_offers_a_therapist_only_themselves_as_therapist(personas):
    page = logged_in(personas.therapist_a).get(reverse("client-create")).content.decode()
    assert personas.therapist_a.full_name in page
    assert personas.therapist_a2.full_name not in page
    assert personas.therapist_b.full_name not in page


def test_it_edits_a_client_and_shows_the_change(personas):
    http = logged_in(personas.therapist_a)
    form = {**VALID_FORM, "identifier": "A-0001", "given_name": "Kasey", "therapist": str(personas.therapist_a.pk)}
    response = http.post(reverse("client-edit", args=[personas.client_a.pk]), form)
    assert response.status_code == 302
    assert b"Kasey" in http.get(reverse("client-detail", args=[personas.client_a.pk])).content


def test_it_archives_from_the_detail_page_and_keeps_the_record(personas):
    http = logged_in(personas.therapist_a)
    http.post(reverse("client-archive", args=[personas.client_a.pk]))
    page = http.get(reverse("client-detail", args=[personas.client_a.pk]))
    assert b"Archived" in page.content
    assert b"Reactivate" in page.content


def test_it_hides_a_colleagues_client_from_a_therapist_as_if_it_did_not_exist(personas):
    http = logged_in(personas.therapist_a2)
    assert http.get(reverse("client-detail", args=[personas.client_a.pk])).status_code == 404
    assert http.get(reverse("client-detail", args=[987654])).status_code == 404


def test_postgresql_searches_clients_through_a_trigram_index(personas):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only (clients migration 0002)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'client_search_trigram'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition
