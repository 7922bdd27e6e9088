import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.measures.models import MeasureSchedule
from tests.conftest import logged_in, make_client
from tests.courses.factories import full_course

pytestmark = pytest.mark.django_db


def _queries(http, url: str) -> int:
    http.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_caseload_lists_open_courses_with_the_measures_due(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    MeasureSchedule.objects.create(
        organisation=personas.org_a,
        context=records.course.treatment_context,
        instrument_code="phq9",
        cadence="every_session",
    )
    page = logged_in(personas.therapist_a).get(reverse("caseload")).content.decode()
    assert personas.client_a.family_name in page
    assert "PHQ9" in page
    assert "overdue" in page  # session 1 was held without a PHQ-9


def test_the_caseload_runs_the_same_queries_for_1_and_20_courses(personas):
    http = logged_in(personas.supervisor_a)
    full_course(personas.client_a, personas.therapist_a)
    with_one = _queries(http, reverse("caseload"))
    for number in range(19):
        full_course(make_client(personas.org_a, f"C-{number}", personas.therapist_a), personas.therapist_a)
    assert _queries(http, reverse("caseload")) == with_one
    assert with_one <= 10
