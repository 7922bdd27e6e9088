"""The competency pages: the team's overview (overdue first, ratings for supervisors only), a person's record, the
forms with their messages, who may do what, the audit of reads, and the pages' fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.accounts.models import Role
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.competency.models import Certification, CompetencySettings, TrainingKind, TrainingRecord
from iptriad.web.pages import ONCE_FIELD
from tests.competency.factories import make_certification, make_training, rate, record_of
from tests.conftest import logged_in, make_client, make_user
from tests.courses.factories import make_course

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def records(personas):
    """therapist_a: trained long ago, refresher overdue, rated by self and supervisor; facilitator_a: up to date."""
    make_training(personas.therapist_a, personas.org_a, completed_on=dt.date(2022, 5, 1), title="Old course")
    make_certification(personas.therapist_a, personas.org_a, certified_on=dt.date(2023, 1, 1))
    make_training(personas.facilitator_a, personas.org_a, completed_on=dt.date(2026, 2, 1), title="WHO group IPT")
    course = make_course(make_client(personas.org_a, "CMP-1", personas.therapist_a), personas.therapist_a)
    rate(course, clinician=personas.therapist_a, rater=personas.therapist_a, role="self", score="87.5",
         rated_on=dt.date(2026, 11, 2), number=2)  # fmt: skip
    rate(course, clinician=personas.therapist_a, rater=personas.supervisor_a, role="supervisor", score="62.5",
         rated_on=dt.date(2026, 11, 3), number=2)  # fmt: skip
    rate(
        course,
        clinician=personas.therapist_a,
        rater=personas.therapist_a,
        role="self",
        score="50.0",
        rated_on=dt.date(2026, 6, 1),
        number=3,
    )  # fmt: skip  (more than 90 days ago)
    return course


def _names_in_order(html: str) -> list[str]:
    return re.findall(r'<a href="/competency/people/\d+/">([^<]+)</a>', html)


# --- The team's overview -------------------------------------------------------------------------------------------


def test_the_supervisor_sees_everyone_with_a_record_overdue_first_with_ratings(personas, records):
    response = logged_in(personas.supervisor_a).get(reverse("competency_team"))
    assert response.status_code == 200
    html = response.content.decode()
    names = _names_in_order(html)
    assert names[0] == "Tara Alpha"  # overdue: the 2022 course + 36 months
    assert set(names) == {"Tara Alpha", "Tove Alpha", personas.facilitator_a.full_name, "Sunil Alpha"}
    assert "Adele Alpha" not in names  # an administrator has no competency record
    assert "Overdue" in html
    assert "87.5%" in html
    assert "62.5%" in html
    assert "Tomas Beta" not in html
    event = AuditEvent.objects.get(action=AuditAction.COMPETENCY_LISTED)
    assert personas.therapist_a.pk in event.detail["people"]


def test_people_without_anything_recorded_come_after_the_overdue(personas, records):
    html = logged_in(personas.supervisor_a).get(reverse("competency_team")).content.decode()
    names = _names_in_order(html)
    assert names.index("Tara Alpha") < names.index("Tove Alpha") < names.index(personas.facilitator_a.full_name)


def test_an_administrator_sees_training_and_certification_but_no_ratings(personas, records):
    html = logged_in(personas.admin_a).get(reverse("competency_team")).content.decode()
    assert "Old course" in html
    assert "87.5" not in html
    assert "62.5" not in html
    assert "Fidelity ratings" not in html


@pytest.mark.parametrize("role", ["therapist_a", "facilitator_a"])
def test_a_therapist_or_facilitator_is_taken_to_their_own_record(personas, role):
    user = getattr(personas, role)
    response = logged_in(user).get(reverse("competency_team"))
    assert response.status_code == 302
    assert response["Location"] == reverse("competency_person", args=[record_of(user)])


def _queries(http: HttpClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


def test_the_overview_runs_the_same_queries_for_a_team_of_5_and_of_35(personas, records):
    http = logged_in(personas.supervisor_a)
    url = reverse("competency_team")
    small = _queries(http, url)
    for number in range(30):
        person = make_user(f"t{number}@alpha.example", f"Therapist {number}", personas.org_a, Role.THERAPIST)
        make_training(person, personas.org_a, completed_on=dt.date(2024, 1, 1 + number % 28))
        make_training(person, personas.org_a, completed_on=dt.date(2025, 1, 1), kind=TrainingKind.CONSULTATION)
        make_certification(person, personas.org_a, certified_on=dt.date(2024, 2, 1), valid_until=dt.date(2027, 2, 1))
        rate(records, clinician=person, rater=person, role="self", score="75", rated_on=TODAY, number=10 + number)
    assert _queries(http, url) == small


# --- A person's record ---------------------------------------------------------------------------------------------


def test_a_therapist_reads_their_own_record_with_their_ratings(personas, records):
    response = logged_in(personas.therapist_a).get(reverse("competency_person", args=[record_of(personas.therapist_a)]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your competency record" in html
    assert "Old course" in html
    assert "IPT Institute certification" in html
    assert "87.5%" in html
    assert "2 ratings in the last 90 days" in html
    assert "Overdue" in html
    assert reverse("competency_training_add", args=[record_of(personas.therapist_a)]) not in html  # reads, never writes
    event = AuditEvent.objects.get(action=AuditAction.COMPETENCY_VIEWED)
    assert event.detail == {"person": personas.therapist_a.pk, "ratings": True}
    assert event.actor == personas.therapist_a


@pytest.mark.parametrize(
    ("reader", "person", "status"),
    [
        ("therapist_a", "therapist_a2", 404),  # a colleague's
        ("facilitator_a", "therapist_a", 404),
        ("therapist_a", "therapist_b", 404),  # another organisation's
        ("supervisor_a", "therapist_b", 404),
        ("supervisor_a", "admin_a", 404),  # an administrator has none
        ("supervisor_a", "facilitator_a", 200),
        ("admin_a", "therapist_a", 200),
    ],
)
def test_who_reads_which_record(personas, records, reader, person, status):
    url = reverse("competency_person", args=[record_of(getattr(personas, person))])
    assert logged_in(getattr(personas, reader)).get(url).status_code == status


def test_an_administrator_reads_a_record_without_its_ratings(personas, records):
    html = logged_in(personas.admin_a).get(reverse("competency_person", args=[record_of(personas.therapist_a)])).content
    assert b"Old course" in html
    assert b"87.5" not in html
    assert b"Fidelity ratings" not in html
    assert AuditEvent.objects.get(action=AuditAction.COMPETENCY_VIEWED).detail["ratings"] is False


def test_a_record_runs_the_same_queries_with_2_and_40_rows(personas, records):
    http = logged_in(personas.supervisor_a)
    url = reverse("competency_person", args=[record_of(personas.therapist_a)])
    small = _queries(http, url)
    for number in range(20):
        make_training(personas.therapist_a, personas.org_a, completed_on=dt.date(2025, 1, 1 + number))
        make_certification(personas.therapist_a, personas.org_a, certified_on=dt.date(2024, 1, 1 + number))
        rate(records, clinician=personas.therapist_a, rater=personas.supervisor_a, role="supervisor", score="70",
             rated_on=TODAY, number=20 + number)  # fmt: skip
    assert _queries(http, url) == small


# --- The forms -----------------------------------------------------------------------------------------------------


def _training_form(**changes: str) -> dict[str, str]:
    form = {
        "kind": "refresher",
        "title": "IPT refresher day",
        "provider": "Regional training centre",
        "completed_on": "2026-10-01",
        "hours": "6",
        "note": "",
    }
    form.update(changes)
    return form


def test_a_supervisor_adds_training_and_the_refresher_clock_restarts(personas, records):
    http = logged_in(personas.supervisor_a)
    url = reverse("competency_training_add", args=[record_of(personas.therapist_a)])
    response = http.post(url, _training_form())
    assert response.status_code == 302
    assert response["Location"] == reverse("competency_person", args=[record_of(personas.therapist_a)])
    assert TrainingRecord.objects.filter(person=personas.therapist_a, title="IPT refresher day").exists()
    html = http.get(response["Location"]).content.decode()
    assert "Up to date: next due 1 October 2029" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"completed_on": "2026-11-27"}, "is in the future"),
        ({"title": ""}, "This field is required"),
        ({"hours": "-1"}, "greater than or equal to 0"),
        ({"hours": "0"}, "more than 0"),
        ({"kind": "seminar"}, "Select a valid choice"),
    ],
)
def test_a_wrong_training_is_shown_again_with_what_to_fix(personas, changes, message):
    http = logged_in(personas.admin_a)
    response = http.post(
        reverse("competency_training_add", args=[record_of(personas.therapist_a)]), _training_form(**changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_a_training_sent_twice_is_recorded_once(personas):
    http = logged_in(personas.supervisor_a)
    url = reverse("competency_training_add", args=[record_of(personas.facilitator_a)])
    [key] = re.findall(rf'name="{ONCE_FIELD}" value="([^"]+)"', http.get(url).content.decode())
    form = {**_training_form(), ONCE_FIELD: key}
    assert http.post(url, form).status_code == 302
    assert http.post(url, form).status_code == 302
    assert TrainingRecord.objects.filter(person=personas.facilitator_a).count() == 1


@pytest.mark.parametrize("role", ["therapist_a", "facilitator_a"])
def test_a_therapist_or_facilitator_may_not_add_to_their_own_record(personas, role):
    user = getattr(personas, role)
    response = logged_in(user).post(reverse("competency_training_add", args=[record_of(user)]), _training_form())
    assert response.status_code == 403
    assert not TrainingRecord.objects.exists()


def test_a_supervisor_changes_and_removes_training(personas):
    training = make_training(personas.therapist_a, personas.org_a, completed_on=dt.date(2025, 1, 5))
    http = logged_in(personas.supervisor_a)
    edit = reverse("competency_training_edit", args=[training.pk])
    assert 'value="IPT two-day course"' in http.get(edit).content.decode()
    assert http.post(edit, _training_form(title="Renamed")).status_code == 302
    training.refresh_from_db()
    assert training.title == "Renamed"
    remove = reverse("competency_training_remove", args=[training.pk])
    assert "Remove the training “Renamed”?" in http.get(remove).content.decode()
    assert http.post(remove).status_code == 302
    assert not TrainingRecord.objects.exists()


def test_a_therapist_sees_their_training_but_may_not_change_it(personas):
    training = make_training(personas.therapist_a, personas.org_a, completed_on=dt.date(2025, 1, 5))
    assert (
        logged_in(personas.therapist_a).get(reverse("competency_training_edit", args=[training.pk])).status_code == 403
    )
    assert (
        logged_in(personas.therapist_a2).get(reverse("competency_training_edit", args=[training.pk])).status_code == 404
    )
    assert (
        logged_in(personas.therapist_a).post(reverse("competency_training_remove", args=[training.pk])).status_code
        == 403
    )
    assert TrainingRecord.objects.filter(pk=training.pk).exists()


def test_a_certification_ending_before_it_began_is_refused_on_the_page(personas):
    http = logged_in(personas.supervisor_a)
    url = reverse("competency_certification_add", args=[record_of(personas.facilitator_a)])
    form = {
        "what": "WHO group IPT facilitator training",
        "body": "WHO",
        "certified_on": "2026-05-01",
        "valid_until": "2026-04-01",
        "evidence": "",
    }
    response = http.post(url, form)
    assert response.status_code == 400
    assert "must be after the day of certification" in response.content.decode()
    assert http.post(url, {**form, "valid_until": "2028-05-01"}).status_code == 302
    certification = Certification.objects.get(person=personas.facilitator_a)
    edit = reverse("competency_certification_edit", args=[certification.pk])
    assert http.post(edit, {**form, "valid_until": "2029-05-01"}).status_code == 302
    certification.refresh_from_db()
    assert certification.valid_until == dt.date(2029, 5, 1)
    assert http.post(reverse("competency_certification_remove", args=[certification.pk])).status_code == 302
    assert not Certification.objects.exists()


def test_the_refresher_interval_changes_what_is_due(personas, records):
    http = logged_in(personas.admin_a)
    response = http.post(reverse("competency_settings"), {"refresher_months": "60"})
    assert response.status_code == 302
    assert CompetencySettings.objects.get(organisation=personas.org_a).refresher_months == 60
    html = http.get(reverse("competency_person", args=[record_of(personas.therapist_a)])).content.decode()
    assert "next due 1 May 2027" in html  # the 2022 course + 60 months
    assert http.post(reverse("competency_settings"), {"refresher_months": "0"}).status_code == 400
    assert logged_in(personas.therapist_a).get(reverse("competency_settings")).status_code == 403


def test_the_homes_link_to_the_competency_records(personas):
    assert reverse("competency_team") in logged_in(personas.supervisor_a).get(reverse("home")).content.decode()
    assert reverse("competency_team") in logged_in(personas.admin_a).get(reverse("home")).content.decode()
    for user in (personas.therapist_a, personas.facilitator_a):
        html = logged_in(user).get(reverse("home")).content.decode()
        assert f'<a href="{reverse("competency_person", args=[record_of(user)])}">Your competency record</a>' in html
        assert "<title>Home · iptriad</title>" in html  # the line is in the page, not in its title
