"""Measures asks its treatment contexts what only they know through the registered kinds, never by importing them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action
from iptriad.clients.models import Client
from iptriad.core.protocol import Phase
from iptriad.courses.contexts import COURSE, CourseContexts
from iptriad.courses.models import Course
from iptriad.measures import contexts
from iptriad.measures.models import TreatmentContext
from iptriad.measures.permissions import measure_policy
from iptriad.measures.selectors import occasion_for_measures
from iptriad.measures.services import administration_record, risk_alert_open_concern, treatment_context_create
from tests.conftest import make_client, make_user
from tests.courses.factories import full_course, make_course
from tests.measures.factories import PHQ9_NO_RISK

pytestmark = pytest.mark.django_db


class NoClients(CourseContexts):
    """A second kind of context (as group memberships will be) that treats nobody and holds nothing open."""

    kind = "test_kind"

    def treating(self, actor):
        return Course.objects.none()

    def open_context_ids(self, client_ids):
        return Course.objects.none().values_list("treatment_context_id", flat=True)


@pytest.fixture
def second_kind():
    kind = NoClients()
    contexts.register(kind)
    yield kind
    del contexts._kinds[kind.kind]


def test_the_course_kind_is_registered_when_the_app_starts():
    assert COURSE in {kind.kind for kind in contexts.registered()}


def test_a_context_of_a_kind_nobody_registered_is_refused(personas):
    with pytest.raises(LookupError, match="nope"):
        treatment_context_create(client=personas.client_a, kind="nope")


def treated(actor, personas) -> list[Client]:
    """The clients of organisation A whose measures the actor may read."""
    return list(measure_policy.scope_clients(actor, Action.VIEW, Client.objects.filter(organisation=personas.org_a)))


class TestWhoTreatsAClient:
    def test_a_therapist_sees_the_measures_of_a_client_whose_open_course_they_run(self, personas):
        colleague = make_user("colleague@alpha.example", "Col League", personas.org_a, Role.THERAPIST)
        make_course(personas.client_a, colleague)
        actor = personas.actor(colleague)
        assert list(treated(actor, personas)) == [personas.client_a]

    def test_not_once_the_course_is_closed(self, personas):
        colleague = make_user("colleague@alpha.example", "Col League", personas.org_a, Role.THERAPIST)
        course = make_course(personas.client_a, colleague)
        Course.objects.filter(pk=course.pk).update(phase=Phase.CLOSED, closed_on=course.opened_on, end_reason="other")
        actor = personas.actor(colleague)
        assert not measure_policy.scope_clients(
            actor, Action.VIEW, Client.objects.filter(organisation=personas.org_a)
        ).exists()

    def test_every_registered_kind_is_asked(self, personas, second_kind):
        colleague = make_user("colleague@alpha.example", "Col League", personas.org_a, Role.THERAPIST)
        make_course(personas.client_a, colleague)
        actor = personas.actor(colleague)
        assert list(treated(actor, personas)) == [personas.client_a]


class TestOpenContexts:
    def test_a_measure_joins_the_clients_open_context(self, personas):
        course = make_course(personas.client_a, personas.therapist_a)
        assert contexts.open_context(personas.client_a) == course.treatment_context
        assert contexts.is_open(course.treatment_context)

    def test_a_closed_course_is_no_longer_open(self, personas):
        course = make_course(personas.client_a, personas.therapist_a)
        Course.objects.filter(pk=course.pk).update(phase=Phase.CLOSED, closed_on=course.opened_on, end_reason="other")
        assert contexts.open_context(personas.client_a) is None
        assert not contexts.is_open(course.treatment_context)

    def test_another_clients_open_context_never_counts(self, personas):
        make_course(make_client(personas.org_a, "A-0777", personas.therapist_a), personas.therapist_a)
        assert contexts.open_context(personas.client_a) is None

    def test_a_measure_given_in_a_closed_context_is_refused(self, personas):
        course = make_course(personas.client_a, personas.therapist_a)
        Course.objects.filter(pk=course.pk).update(phase=Phase.CLOSED, closed_on=course.opened_on, end_reason="other")
        with pytest.raises(ValidationError, match="not this client's open course"):
            administration_record(
                actor=personas.actor(personas.therapist_a),
                client=personas.client_a,
                code="phq9",
                answers=PHQ9_NO_RISK,
                context=TreatmentContext.objects.get(pk=course.treatment_context_id),
            )


class TestChangingAContext:
    def test_its_therapist_and_a_supervisor_may_change_it(self, personas):
        course = make_course(personas.client_a, personas.therapist_a)
        for user in (personas.therapist_a, personas.supervisor_a):
            contexts.require_change(personas.actor(user), course.treatment_context)

    @pytest.mark.parametrize("who", ["therapist_a2", "admin_a"])
    def test_nobody_else_may(self, personas, who):
        course = make_course(personas.client_a, personas.therapist_a)
        with pytest.raises(PermissionDenied):
            contexts.require_change(personas.actor(getattr(personas, who)), course.treatment_context)

    def test_a_closed_one_is_read_only(self, personas):
        course = make_course(personas.client_a, personas.therapist_a)
        Course.objects.filter(pk=course.pk).update(phase=Phase.CLOSED, closed_on=course.opened_on, end_reason="other")
        with pytest.raises(ValidationError, match="closed"):
            contexts.require_change(personas.actor(personas.therapist_a), course.treatment_context)


class TestOccasions:
    def test_a_session_of_the_clients_course_is_offered_with_its_words(self, personas):
        records = full_course(personas.client_a, personas.therapist_a)
        choice = occasion_for_measures(
            actor=personas.actor(personas.therapist_a),
            client=personas.client_a,
            occasion_id=str(records.session.occasion_id),
        )
        assert choice is not None
        assert choice.occasion == records.session.occasion
        assert choice.label == "session 1 of the IPT course (1 Sep 2026)"

    @pytest.mark.parametrize("who", ["therapist_a2", "admin_a"])
    def test_it_is_a_404_for_someone_who_may_not_record_in_it(self, personas, who):
        records = full_course(personas.client_a, personas.therapist_a)
        with pytest.raises(Http404):
            occasion_for_measures(
                actor=personas.actor(getattr(personas, who)),
                client=personas.client_a,
                occasion_id=str(records.session.occasion_id),
            )

    def test_a_session_of_another_clients_course_is_a_404(self, personas):
        other = full_course(make_client(personas.org_a, "A-0778", personas.therapist_a), personas.therapist_a)
        with pytest.raises(Http404):
            occasion_for_measures(
                actor=personas.actor(personas.therapist_a),
                client=personas.client_a,
                occasion_id=str(other.session.occasion_id),
            )

    @pytest.mark.parametrize("value", [None, "", "abc", "²", "9" * 40])
    def test_no_or_a_malformed_id_is_no_session(self, personas, value):
        assert (
            occasion_for_measures(
                actor=personas.actor(personas.therapist_a), client=personas.client_a, occasion_id=value
            )
            is None
        )


class TestResponsibility:
    def test_the_course_therapist_is_responsible_for_what_arises_in_it(self, personas):
        course = make_course(personas.client_a, personas.therapist_a2)
        assert contexts.responsible(course.treatment_context) == [personas.therapist_a2]

    def test_an_alert_records_the_context_it_arose_in(self, personas):
        records = full_course(personas.client_a, personas.therapist_a)
        alert = risk_alert_open_concern(
            actor=personas.actor(personas.therapist_a),
            client=personas.client_a,
            concern="Said she feels hopeless.",
            occasion=records.session.occasion,
        )
        assert (alert.context, alert.occasion) == (records.course.treatment_context, records.session.occasion)

    def test_a_session_of_another_clients_course_never_carries_the_alert(self, personas):
        other = full_course(make_client(personas.org_a, "A-0779", personas.therapist_a), personas.therapist_a)
        alert = risk_alert_open_concern(
            actor=personas.actor(personas.therapist_a),
            client=personas.client_a,
            concern="Said she feels hopeless.",
            occasion=other.session.occasion,
        )
        assert (alert.context, alert.occasion) == (None, None)
