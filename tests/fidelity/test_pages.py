"""The fidelity pages as a therapist, a facilitator and a supervisor use them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.accounts.models import Membership
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.fidelity import Answer
from iptriad.courses.models import CourseSession
from iptriad.fidelity.models import FidelityForm, FidelityRating, RaterRole, SamplingRule
from iptriad.fidelity.selectors.sessions import checklist_for, rated_session_get
from tests.conftest import Personas, logged_in, make_client
from tests.courses.factories import full_course
from tests.fidelity.factories import held_sessions
from tests.groups.factories import group_records

pytestmark = pytest.mark.django_db


def _membership(personas: Personas) -> int:
    return Membership.objects.get(user=personas.therapist_a, organisation=personas.org_a).pk


@pytest.fixture
def session(personas):
    course = full_course(personas.client_a, personas.therapist_a).course
    return held_sessions(course, 1)[0]


def _form(personas, user, session, answer: Answer, **changed: str) -> dict[str, str]:
    checklist = checklist_for(rated_session_get(actor=personas.actor(user), kind="individual", session_id=session.pk))
    data = {f"item_{index}": answer.value for index in range(len(checklist.items))}
    data.update(changed)
    return data


def test_a_therapist_rates_then_the_supervisor_and_both_see_them_side_by_side(personas, session):
    url = reverse("fidelity-rate-course", args=[session.pk])
    therapist = logged_in(personas.therapist_a)
    page = therapist.get(url)
    assert page.status_code == 200
    assert b"your self-rating" in page.content
    saved = therapist.post(url, _form(personas, personas.therapist_a, session, Answer.DONE, note="Went well"))
    own = FidelityRating.objects.get(rater_role=RaterRole.SELF)
    assert saved["Location"] == reverse("fidelity-rating", args=[own.pk])
    supervisor = logged_in(personas.supervisor_a)
    supervisor.post(url, _form(personas, personas.supervisor_a, session, Answer.DONE, item_0=Answer.NOT_DONE.value))
    theirs = FidelityRating.objects.get(rater_role=RaterRole.SUPERVISOR)
    page = therapist.get(reverse("fidelity-rating", args=[own.pk]))
    assert page.status_code == 200
    total = len(own.answers)
    assert f"{total - 1} of {total} items answered the same".encode() in page.content
    assert b"(different)" in page.content
    assert b"Went well" in page.content
    assert AuditEvent.objects.filter(action=AuditAction.FIDELITY_VIEWED, object_id=str(own.pk)).exists()
    assert logged_in(personas.supervisor_a).get(reverse("fidelity-rating", args=[theirs.pk])).status_code == 200


def test_rating_again_shows_the_rating_there_and_changes_it(personas, session):
    url = reverse("fidelity-rate-course", args=[session.pk])
    therapist = logged_in(personas.therapist_a)
    therapist.post(url, _form(personas, personas.therapist_a, session, Answer.DONE))
    page = therapist.get(url)
    assert b"You rated this session on" in page.content
    assert b"Change my rating" in page.content
    therapist.post(url, _form(personas, personas.therapist_a, session, Answer.PARTLY))
    assert FidelityRating.objects.get().score == 50
    assert AuditEvent.objects.filter(action=AuditAction.FIDELITY_RATING_CHANGED).count() == 1


def test_an_unanswered_item_is_shown_on_the_form_and_nothing_is_saved(personas, session):
    data = _form(personas, personas.therapist_a, session, Answer.DONE)
    del data["item_2"]
    page = logged_in(personas.therapist_a).post(reverse("fidelity-rate-course", args=[session.pk]), data)
    assert page.status_code == 400
    assert b"Choose an answer for this item." in page.content
    assert not FidelityRating.objects.exists()


def test_a_facilitator_rates_their_group_session_and_sees_it_in_the_reminders(personas):
    records = group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="G1"
    )
    facilitator = logged_in(personas.facilitator_a)
    home = facilitator.get(reverse("fidelity"))
    assert reverse("fidelity-rate-group", args=[records.session.pk]).encode() in home.content
    data = {f"item_{index}": "done" for index in range(7)}
    facilitator.post(reverse("fidelity-rate-group", args=[records.session.pk]), data)
    assert FidelityRating.objects.get().clinician == personas.facilitator_a
    assert (
        reverse("fidelity-rate-group", args=[records.session.pk]).encode()
        not in facilitator.get(reverse("fidelity")).content
    )
    # Someone else's group session is not theirs to rate, nor another therapist's course session.
    assert (
        logged_in(personas.therapist_a2).get(reverse("fidelity-rate-group", args=[records.session.pk])).status_code
        == 404
    )


def test_the_person_page_shows_agreement_by_month_with_a_chart(personas, session):
    url = reverse("fidelity-rate-course", args=[session.pk])
    logged_in(personas.therapist_a).post(url, _form(personas, personas.therapist_a, session, Answer.DONE))
    logged_in(personas.supervisor_a).post(url, _form(personas, personas.supervisor_a, session, Answer.DONE))
    page = logged_in(personas.therapist_a).get(reverse("fidelity-person", args=[_membership(personas)]))
    assert page.status_code == 200
    assert b"<svg" in page.content
    assert b"100%" in page.content
    assert (
        logged_in(personas.therapist_a2).get(reverse("fidelity-person", args=[_membership(personas)])).status_code
        == 404
    )
    assert (
        logged_in(personas.supervisor_a).get(reverse("fidelity-person", args=[_membership(personas)])).status_code
        == 200
    )


def test_the_supervisor_defines_a_form_and_sets_the_sampling_rule(personas):
    supervisor = logged_in(personas.supervisor_a)
    refused = supervisor.post(
        reverse("fidelity-forms"),
        {"session_type": "group:middle", "group-middle-name": "Ours", "group-middle-items": " "},
    )
    assert refused.status_code == 400
    supervisor.post(
        reverse("fidelity-forms"),
        {"session_type": "group:middle", "group-middle-name": "Ours", "group-middle-items": "One\nTwo"},
    )
    assert FidelityForm.objects.get().items == [{"key": "item-1", "text": "One"}, {"key": "item-2", "text": "Two"}]
    supervisor.post(reverse("fidelity-form-retire"), {"session_type": "group:middle"})
    assert not FidelityForm.objects.get().active
    supervisor.post(reverse("fidelity-sampling"), {"one_in": "3"})
    supervisor.post(reverse("fidelity-sampling"), {"clinician": personas.therapist_a.pk, "one_in": "2"})
    assert SamplingRule.objects.count() == 2
    supervisor.post(reverse("fidelity-sampling"), {"clinician": personas.therapist_a.pk, "remove": "1"})
    assert SamplingRule.objects.get().one_in == 3
    for user in (personas.therapist_a, personas.admin_a):
        assert logged_in(user).get(reverse("fidelity-forms")).status_code == 403


def test_the_course_page_lists_its_sessions_ratings_once_one_is_rated(personas, session):
    therapist = logged_in(personas.therapist_a)
    assert b"Fidelity ratings" not in therapist.get(reverse("course-detail", args=[session.course_id])).content
    therapist.post(
        reverse("fidelity-rate-course", args=[session.pk]), _form(personas, personas.therapist_a, session, Answer.DONE)
    )
    page = therapist.get(reverse("course-detail", args=[session.course_id]))
    assert b"Fidelity ratings" in page.content
    assert reverse("fidelity-rate-course", args=[session.pk]).encode() in page.content


def test_the_home_and_person_pages_cost_the_same_queries_for_few_and_many_sessions(personas, session):
    def counts() -> list[int]:
        supervisor = logged_in(personas.supervisor_a)
        result = []
        for url in (reverse("fidelity"), reverse("fidelity-person", args=[_membership(personas)])):
            with CaptureQueriesContext(connection) as captured:
                assert supervisor.get(url).status_code == 200
            result.append(len(captured))
        return result

    def rate_all(sessions: list[CourseSession]) -> None:
        for each in sessions:
            for user in (personas.therapist_a, personas.supervisor_a):
                logged_in(user).post(
                    reverse("fidelity-rate-course", args=[each.pk]), _form(personas, user, each, Answer.DONE)
                )

    rate_all([session])
    small = counts()
    for index in range(4):
        client = make_client(personas.org_a, f"A-P{index}", personas.therapist_a)
        rate_all(held_sessions(full_course(client, personas.therapist_a).course, 3))
    assert counts() == small
