"""Issue 16, item 1: a creating form sent twice records once.

Each creating form carries a key made when it is shown (`{% once_key %}`); the same submission sent again (a double
click, a resubmit after a lost answer) is sent to the first record, with a note, and creates nothing: one session,
one administration, one risk alert. Concurrent submissions are in tests/accounts/test_forms_once_postgresql.py.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from iptriad.accounts.models import IdempotencyKey
from iptriad.accounts.once import ERROR_SENT_WITH_OTHER_ENTRIES, REPLAYED
from iptriad.courses.models import CourseSession, Goal, InventoryPerson, TimelineEvent
from iptriad.measures.models import Administration, RiskAlert
from iptriad.web.pages import ONCE_FIELD
from tests.conftest import logged_in
from tests.courses.factories import full_course
from tests.courses.test_sessions_pages import CONCERN, VALID_FORM
from tests.measures.factories import PHQ9_WITH_RISK

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def records(personas):
    return full_course(personas.client_a, personas.therapist_a)


def key_on(page_html: str) -> str:
    """The key the form was shown with (one per form)."""
    [key] = re.findall(rf'name="{ONCE_FIELD}" value="([^"]+)"', page_html)
    return str(key)


def test_the_session_form_carries_a_new_key_each_time_it_is_shown(personas, records):
    http = logged_in(personas.therapist_a)
    url = reverse("course-session-new", args=[records.course.pk])
    first, second = key_on(http.get(url).content.decode()), key_on(http.get(url).content.decode())
    assert first != second
    assert len(first) >= 16


def test_a_session_sent_twice_is_recorded_once_with_one_alert(personas, records):
    http = logged_in(personas.therapist_a)
    url = reverse("course-session-new", args=[records.course.pk])
    key = key_on(http.get(url).content.decode())
    form = {**VALID_FORM, "risk_check": "concern", "concern": CONCERN, ONCE_FIELD: key}
    first = http.post(url, form)
    second = http.post(url, form)
    session = CourseSession.objects.get(course=records.course, number=2)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("course-session-detail", args=[session.pk])
    assert CourseSession.objects.filter(course=records.course).count() == 2  # the factory's session and this one
    assert RiskAlert.objects.filter(client=personas.client_a).count() == 1
    assert REPLAYED in http.get(second["Location"]).content.decode()


def test_the_same_key_with_other_entries_is_refused_and_records_nothing(personas, records):
    http = logged_in(personas.therapist_a)
    url = reverse("course-session-new", args=[records.course.pk])
    key = key_on(http.get(url).content.decode())
    assert http.post(url, {**VALID_FORM, ONCE_FIELD: key}).status_code == 302
    changed = http.post(url, {**VALID_FORM, "note": "Another note.", ONCE_FIELD: key})
    assert changed.status_code == 400
    page = changed.content.decode()
    assert ERROR_SENT_WITH_OTHER_ENTRIES in page
    assert key_on(page) != key  # shown again with a new key: sending it now is a deliberate second record
    assert CourseSession.objects.filter(course=records.course).count() == 2


def test_a_refused_submission_frees_its_key_for_the_corrected_one(personas, records):
    http = logged_in(personas.therapist_a)
    url = reverse("course-session-new", args=[records.course.pk])
    key = key_on(http.get(url).content.decode())
    assert http.post(url, {**VALID_FORM, "held_on": "", ONCE_FIELD: key}).status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert http.post(url, {**VALID_FORM, ONCE_FIELD: key}).status_code == 302
    assert CourseSession.objects.filter(course=records.course).count() == 2


def test_a_key_is_the_members_own(personas, records):
    """Another member sending the same key (a shared, copied page) records their own submission."""
    url = reverse("course-session-new", args=[records.course.pk])
    key = key_on(logged_in(personas.therapist_a).get(url).content.decode())
    assert logged_in(personas.therapist_a).post(url, {**VALID_FORM, ONCE_FIELD: key}).status_code == 302
    other = logged_in(personas.supervisor_a).post(url, {**VALID_FORM, "held_on": "2026-09-29", ONCE_FIELD: key})
    assert other.status_code == 302
    assert CourseSession.objects.filter(course=records.course).count() == 3


def test_a_form_without_a_key_is_carried_out_as_before(personas, records):
    http = logged_in(personas.therapist_a)
    url = reverse("course-session-new", args=[records.course.pk])
    assert http.post(url, VALID_FORM).status_code == 302
    assert not IdempotencyKey.objects.exists()


def test_a_raised_alert_sent_twice_opens_one_alert(personas, records):
    http = logged_in(personas.therapist_a)
    key = key_on(http.get(reverse("measures-client", args=[personas.client_a.pk])).content.decode())
    url = reverse("alert-raise", args=[personas.client_a.pk])
    first = http.post(url, {"concern": CONCERN, ONCE_FIELD: key})
    second = http.post(url, {"concern": CONCERN, ONCE_FIELD: key})
    alert = RiskAlert.objects.get(client=personas.client_a)
    assert first["Location"] == second["Location"] == reverse("alert-detail", args=[alert.pk])


def test_a_measure_sent_twice_is_one_administration_with_one_alert(personas, records):
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=phq9"
    key = key_on(http.get(url).content.decode())
    form = {f"item_{number}": str(answer) for number, answer in enumerate(PHQ9_WITH_RISK, start=1)}
    form.update({"item_10": "-", ONCE_FIELD: key})  # the difficulty question, not asked here
    first, second = http.post(url, form), http.post(url, form)
    assert first.status_code == second.status_code == 302, first.content.decode()[:2000]
    assert first["Location"] == second["Location"]
    assert Administration.objects.filter(client=personas.client_a).count() == 1
    assert RiskAlert.objects.filter(client=personas.client_a).count() == 1


@pytest.mark.parametrize(
    ("name", "path", "form", "model"),
    [
        (
            "person",
            "course-initial-person-add",
            {"name": "Ali", "relationship": "friend", "ring": "2"},
            InventoryPerson,
        ),
        (
            "event",
            "course-initial-event-add",
            {"occurred_on": "2026-06-01", "kind": "life_event", "description": "New job"},
            TimelineEvent,
        ),
    ],
)
def test_an_inventory_person_or_timeline_event_sent_twice_is_added_once(personas, records, name, path, form, model):
    http = logged_in(personas.therapist_a)
    url = reverse(path, args=[records.course.pk])
    before = model.objects.count()
    key = key_on(http.get(url).content.decode())
    first, second = http.post(url, {**form, ONCE_FIELD: key}), http.post(url, {**form, ONCE_FIELD: key})
    assert first.status_code == second.status_code == 302, first.content.decode()[:3000]
    assert model.objects.count() == before + 1


def test_a_goal_sent_twice_is_added_once(personas, records):
    http = logged_in(personas.therapist_a)
    page = http.get(reverse("course-middle-area", args=[records.problem_area.pk])).content.decode()
    key = re.findall(rf'name="{ONCE_FIELD}" value="([^"]+)"', page)[0]
    url = reverse("course-middle-goal-add", args=[records.problem_area.pk])
    before = Goal.objects.count()
    http.post(url, {"text": "See a friend weekly", ONCE_FIELD: key})
    http.post(url, {"text": "See a friend weekly", ONCE_FIELD: key})
    assert Goal.objects.count() == before + 1
