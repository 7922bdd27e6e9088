"""Rating a session (self and supervisor, once a side, changed later), forms by version, the sampling rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.fidelity import Answer, group_checklist, individual_checklist
from iptriad.fidelity.models import FidelityForm, FidelityRating, RaterRole, SamplingRule
from iptriad.fidelity.selectors.sessions import checklist_for, rated_session_get
from iptriad.fidelity.services.forms import ERROR_NO_ITEMS, form_retire, form_save
from iptriad.fidelity.services.ratings import CODE_RATED_TWICE, ERROR_NOT_HELD, rating_change, rating_record
from iptriad.fidelity.services.sampling import ERROR_NOT_CLINICIAN, ERROR_ONE_IN, sampling_rule_set
from tests.courses.factories import full_course
from tests.fidelity.factories import all_answered, held_sessions
from tests.groups.factories import group_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(personas):
    return full_course(personas.client_a, personas.therapist_a).course


@pytest.fixture
def session(personas, course):
    (held,) = held_sessions(course, 1)
    return rated_session_get(actor=personas.actor(personas.therapist_a), kind="individual", session_id=held.pk)


def test_it_rates_a_middle_session_with_the_courses_problem_area_checklist(personas, session):
    checklist = checklist_for(session)
    assert checklist.ref == "iptriad-individual-middle-role_transition@1"
    answers = all_answered(checklist, Answer.NOT_APPLICABLE, middle__step__measure=Answer.DONE)
    answers["middle.step.opener"] = Answer.PARTLY.value
    rating = rating_record(actor=personas.actor(personas.therapist_a), session=session, answers=answers, note=" Ok ")
    assert (rating.rater_role, rating.clinician, rating.checklist) == (
        RaterRole.SELF,
        personas.therapist_a,
        checklist.ref,
    )
    assert rating.score == Decimal("75.0")
    assert rating.note == "Ok"
    assert AuditEvent.objects.filter(action=AuditAction.FIDELITY_RATED, object_id=str(rating.pk)).exists()


def test_rating_twice_is_refused_with_its_code_and_changing_is_audited(personas, session):
    actor = personas.actor(personas.therapist_a)
    answers = all_answered(checklist_for(session))
    rating = rating_record(actor=actor, session=session, answers=answers)
    with pytest.raises(ValidationError) as refused:
        rating_record(actor=actor, session=session, answers=answers)
    assert refused.value.code == CODE_RATED_TWICE
    assert "already rated this session" in refused.value.messages[0]
    changed = rating_change(
        actor=actor, session=session, rating=rating, answers=all_answered(checklist_for(session), Answer.NOT_DONE)
    )
    assert changed.score == Decimal("0.0")
    event = AuditEvent.objects.get(action=AuditAction.FIDELITY_RATING_CHANGED)
    assert event.detail["score_before"] == "100.0"
    assert FidelityRating.objects.count() == 1


def test_the_supervisor_rates_with_the_checklist_of_the_self_rating_even_after_a_new_form(personas, session):
    rating_record(
        actor=personas.actor(personas.therapist_a), session=session, answers=all_answered(checklist_for(session))
    )
    form_save(actor=personas.actor(personas.supervisor_a), session_type="individual:middle", name="Ours", items=["A"])
    supervisor = personas.actor(personas.supervisor_a)
    with pytest.raises(ValidationError) as refused:
        rating_record(actor=supervisor, session=session, answers={"item-1": "done"})
    assert "'item-1' is not an item of this checklist." in refused.value.message_dict["answers"]
    rating = rating_record(
        actor=supervisor, session=session, answers=all_answered(individual_checklist("middle", ["role_transition"]))
    )
    assert (rating.rater_role, rating.clinician, rating.form) == (RaterRole.SUPERVISOR, personas.therapist_a, None)


def test_answers_off_the_checklist_or_its_scale_are_refused_and_nothing_is_written(personas, session):
    checklist = checklist_for(session)
    answers = all_answered(checklist)
    answers[checklist.keys[0]] = "yes"
    with pytest.raises(ValidationError) as refused:
        rating_record(actor=personas.actor(personas.therapist_a), session=session, answers=answers)
    assert refused.value.message_dict["answers"] == [
        "'yes' is not an answer: use done, partly, not_done or not_applicable."
    ]
    assert not FidelityRating.objects.exists()


def test_a_session_the_client_missed_has_nothing_to_rate(personas, course):
    (missed,) = held_sessions(course, 1)
    missed.attendance = "no_show"
    missed.save()
    session = rated_session_get(actor=personas.actor(personas.therapist_a), kind="individual", session_id=missed.pk)
    with pytest.raises(ValidationError, match="not held"):
        rating_record(actor=personas.actor(personas.therapist_a), session=session, answers={})
    assert ERROR_NOT_HELD


def test_another_therapist_and_an_administrator_cannot_reach_the_session(personas, session):
    from django.http import Http404

    for user in (personas.therapist_a2, personas.admin_a, personas.facilitator_a):
        with pytest.raises(Http404):
            rated_session_get(actor=personas.actor(user), kind="individual", session_id=session.pk)


def test_only_the_rater_changes_a_rating(personas, session):
    rating = rating_record(
        actor=personas.actor(personas.therapist_a), session=session, answers=all_answered(checklist_for(session))
    )
    with pytest.raises(PermissionDenied):
        rating_change(actor=personas.actor(personas.supervisor_a), session=session, rating=rating, answers={})


def test_a_facilitator_self_rates_a_group_session_with_the_group_checklist(personas):
    records = group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="G1"
    )
    actor = personas.actor(personas.facilitator_a)
    session = rated_session_get(actor=actor, kind="group", session_id=records.session.pk)
    checklist = group_checklist("initial")
    rating = rating_record(actor=actor, session=session, answers=all_answered(checklist, Answer.PARTLY))
    assert (rating.group_session, rating.checklist, rating.score) == (records.session, checklist.ref, Decimal("50.0"))


def test_a_form_saved_again_is_its_next_version_and_the_old_stays_for_its_ratings(personas, session):
    supervisor = personas.actor(personas.supervisor_a)
    first = form_save(actor=supervisor, session_type="individual:middle", name="Ours", items=["Linked mood", "Task"])
    rating = rating_record(
        actor=personas.actor(personas.therapist_a), session=session, answers={"item-1": "done", "item-2": "partly"}
    )
    assert (rating.form, rating.checklist) == (first, f"form:{first.pk}:1")
    second = form_save(actor=supervisor, session_type="individual:middle", name="Ours", items=["Linked mood"])
    first.refresh_from_db()
    assert (first.active, second.active, second.version) == (False, True, 2)
    assert FidelityRating.objects.get().form == first
    form_retire(actor=supervisor, session_type="individual:middle")
    assert not FidelityForm.objects.filter(active=True).exists()


@pytest.mark.parametrize(
    ("items", "message"), [([" ", ""], ERROR_NO_ITEMS), (["A", "a"], "Item 2 repeats an earlier item.")]
)
def test_a_form_needs_distinct_items(personas, items, message):
    with pytest.raises(ValidationError) as refused:
        form_save(actor=personas.actor(personas.supervisor_a), session_type="group:middle", name="X", items=items)
    assert refused.value.message_dict["items"] == [message]


def test_only_supervisors_define_forms_and_the_sampling_rule(personas):
    for user in (personas.admin_a, personas.therapist_a, personas.facilitator_a):
        with pytest.raises(PermissionDenied):
            form_save(actor=personas.actor(user), session_type="group:middle", name="X", items=["A"])
        with pytest.raises(PermissionDenied):
            sampling_rule_set(actor=personas.actor(user), one_in=2)


def test_the_sampling_rule_takes_a_sane_number_and_a_clinician_of_the_organisation(personas):
    supervisor = personas.actor(personas.supervisor_a)
    with pytest.raises(ValidationError) as refused:
        sampling_rule_set(actor=supervisor, one_in=0)
    assert refused.value.message_dict["one_in"] == [ERROR_ONE_IN]
    with pytest.raises(ValidationError) as refused:
        sampling_rule_set(actor=supervisor, one_in=2, clinician=personas.therapist_b)
    assert refused.value.message_dict["clinician"] == [ERROR_NOT_CLINICIAN]
    sampling_rule_set(actor=supervisor, one_in=3)
    sampling_rule_set(actor=supervisor, one_in=5)
    sampling_rule_set(actor=supervisor, one_in=2, clinician=personas.therapist_a)
    assert sorted(SamplingRule.objects.values_list("clinician_id", "one_in"), key=str) == sorted(
        [(None, 5), (personas.therapist_a.pk, 2)], key=str
    )
