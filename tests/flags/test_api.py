"""The flags API: the caller's flagged cases gravest first, the filters, one course's flags with rule, source and
suggestions, scope per role, the read audit, and a fixed number of queries whatever the page's size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.flags import FlagCode, severity
from iptriad.flags.services import flags_refresh
from tests.api.conftest import api_as
from tests.conftest import make_client
from tests.flags.builders import NO_SHOW, course_with_history, open_alert
from tests.groups.factories import group_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(personas):
    today = timezone.localdate()
    slow = course_with_history(
        personas.client_a, personas.therapist_a, opened_on=today - dt.timedelta(weeks=5), phq9=[(0, 20), (5, 19)]
    )
    other_client = make_client(personas.org_a, "A-0099", personas.therapist_a2)
    risky = course_with_history(
        other_client, personas.therapist_a2, opened_on=today - dt.timedelta(weeks=2), sessions=[NO_SHOW, NO_SHOW]
    )
    open_alert(risky)
    member = group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="G-API"
    ).member
    foreign = course_with_history(
        personas.client_b, personas.therapist_b, opened_on=today - dt.timedelta(weeks=5), phq9=[(0, 20), (5, 19)]
    )
    flags_refresh(
        [
            slow.treatment_context_id,
            risky.treatment_context_id,
            member.treatment_context_id,
            foreign.treatment_context_id,
        ]
    )
    return slow, risky, member, foreign


def test_a_supervisor_lists_the_organisation_s_flagged_cases_gravest_first(personas, cases):
    slow, risky, member, _foreign = cases
    answer = api_as(personas.supervisor_a, personas.org_a).get("/flags")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 3
    # Gravest first: an open alert, then early non-response, then the member never reviewed in 14 days.
    assert [(item["course"], item["member"]) for item in body["items"]] == [
        (risky.pk, None),
        (slow.pk, None),
        (None, member.pk),
    ]
    first = body["items"][0]
    assert first["worst"] == severity(FlagCode.SELF_HARM)
    assert first["clinician"]["id"] == personas.therapist_a2.pk
    flag = first["flags"][0]
    assert flag["code"] == "self_harm"
    assert flag["rule"]
    assert flag["source"]
    assert flag["suggestions"][0]["source"]
    assert flag["since"] == timezone.localdate().isoformat()
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_LISTED, actor=personas.supervisor_a).exists()


def test_a_therapist_lists_their_courses_and_the_groups_they_supervise(personas, cases):
    slow, _risky, member, _foreign = cases
    body = api_as(personas.therapist_a, personas.org_a).get("/flags").json()
    assert [(item["course"], item["member"]) for item in body["items"]] == [(slow.pk, None), (None, member.pk)]
    assert body["items"][1]["kind"] == "group"
    assert api_as(personas.therapist_a2, personas.org_a).get("/flags").json()["count"] == 1


def test_the_filters(personas, cases):
    slow, risky, *_ = cases
    api = api_as(personas.supervisor_a, personas.org_a)
    assert [i["course"] for i in api.get("/flags", {"code": "early_non_response"}).json()["items"]] == [slow.pk]
    assert [i["course"] for i in api.get("/flags", {"clinician": personas.therapist_a2.pk}).json()["items"]] == [
        risky.pk
    ]
    assert api.get("/flags", {"active": "false"}).json()["count"] == 0
    assert api.get("/flags", {"code": "not_a_rule"}).status_code == 422


@pytest.mark.parametrize("role", ["admin_a", "facilitator_a"])
def test_the_non_clinical_roles_may_not_list(personas, cases, role):
    assert api_as(getattr(personas, role), personas.org_a).get("/flags").status_code == 403


def test_one_course_s_flags(personas, cases):
    slow, _risky, _member, foreign = cases
    api = api_as(personas.therapist_a, personas.org_a)
    body = api.get(f"/courses/{slow.pk}/flags").json()
    assert [flag["code"] for flag in body["flags"]] == ["early_non_response", "no_supervisory_review"]
    assert body["flags"][0]["why"].startswith("PHQ-9 19 at week 5")
    assert AuditEvent.objects.filter(
        action=AuditAction.COURSE_VIEWED, object_id=str(slow.pk), detail__part="flags"
    ).exists()
    assert api.get(f"/courses/{foreign.pk}/flags").status_code == 404
    assert api_as(personas.admin_a, personas.org_a).get(f"/courses/{slow.pk}/flags").status_code == 404


def test_the_list_is_a_fixed_number_of_queries_whatever_its_length(personas):
    today = timezone.localdate()
    api = api_as(personas.supervisor_a, personas.org_a)
    counts = []
    made = 0
    for size in (1, 8):
        while made < size:
            client = make_client(personas.org_a, f"Q-{made:03d}", personas.therapist_a)
            course = course_with_history(
                client, personas.therapist_a, opened_on=today - dt.timedelta(weeks=5), phq9=[(0, 20), (5, 19)]
            )
            flags_refresh([course.treatment_context_id])
            made += 1
        api.get("/flags")
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/flags").json()["count"] == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
