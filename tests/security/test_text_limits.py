"""One limit per free-text field, the same on the pages, in the API and in the services (issue 16, item 3).

The web forms used to save 1,000,000 characters where the API capped at 10,000, so an API client could not write
back what it read. Every text column now carries its limit (iptriad.core.limits); a page's form, an API body and
the service (the encrypted field itself, when the row is saved) all take it from there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from pydantic import BaseModel

from iptriad.accounts.models import Organisation
from iptriad.api.schemas import clients as client_schemas
from iptriad.api.schemas import courses as course_schemas
from iptriad.api.schemas import initial, measures, middle, sessions, termination
from iptriad.core.limits import NOTE_MAX, too_long
from iptriad.courses import models as course_models
from iptriad.courses.models import CourseSession, Goal
from iptriad.courses.services.middle import goal_add
from iptriad.measures.models import RiskAlert
from tests.api.conftest import api_as
from tests.conftest import logged_in
from tests.courses.factories import CourseRecords, full_course

# Text columns no person writes: the stored answer of a request, replayed for its idempotency key; an e-mail or SMS
# the product writes from its own templates; the tokens a scheduled link keeps for its reminders.
NOT_WRITTEN_BY_PEOPLE = {
    "accounts.idempotencykey.body",
    "notifications.message.subject",
    "notifications.message.body",
    "notifications.scheduledlink.link_token",
    "notifications.scheduledlink.stop_token",
}


def _text_columns() -> list[models.Field[Any, Any]]:
    return [
        field
        for config in apps.get_app_configs()
        if config.name.startswith("iptriad.")
        for model in config.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField | models.CharField)
    ]


def test_every_text_column_has_a_limit():
    """A new text field cannot forget its limit: the pages would then take a megabyte where the API takes less."""
    unbounded = [
        f"{field.model._meta.label_lower}.{field.name}"
        for field in _text_columns()
        if field.max_length is None and f"{field.model._meta.label_lower}.{field.name}" not in NOT_WRITTEN_BY_PEOPLE
    ]
    assert not unbounded, f"text columns without a limit (give them one from iptriad.core.limits): {unbounded}"
    assert len(_text_columns()) > 100  # the walk really found the models


# Each API body and the model its text fields are written to (a field of another name is mapped by hand).
BODIES: list[tuple[type[BaseModel], type[models.Model], dict[str, str]]] = [
    (client_schemas.ClientIn, apps.get_model("clients", "Client"), {}),
    (client_schemas.ClientPatch, apps.get_model("clients", "Client"), {}),
    (course_schemas.PhaseChangeIn, course_models.PhaseChange, {}),
    (course_schemas.CourseCloseIn, course_models.Course, {"note": "end_note"}),
    (initial.AssessmentIn, course_models.Assessment, {}),
    (initial.PersonIn, course_models.InventoryPerson, {}),
    (initial.PersonPatch, course_models.InventoryPerson, {}),
    (initial.EventIn, course_models.TimelineEvent, {}),
    (initial.EventPatch, course_models.TimelineEvent, {}),
    (initial.TriadIn, course_models.Triad, {}),
    (middle.ProblemAreaIn, course_models.ProblemAreaChoice, {}),
    (middle.ProblemAreaPatch, course_models.ProblemAreaChoice, {}),
    (middle.ProblemAreaEndIn, course_models.ProblemAreaChoice, {}),
    (middle.GoalIn, course_models.Goal, {}),
    (middle.GoalPatch, course_models.Goal, {}),
    (middle.FormulationIn, course_models.Formulation, {}),
    (middle.ContractIn, course_models.TreatmentContract, {}),
    (sessions.SessionIn, course_models.CourseSession, {"concern": "summary"}),
    (sessions.SessionPatch, course_models.CourseSession, {"concern": "summary"}),
    (termination.TerminationReviewIn, course_models.TerminationReview, {}),
    (termination.GoalStatusIn, course_models.Goal, {}),
    (termination.RelapsePreventionPlanIn, course_models.RelapsePreventionPlan, {}),
    (termination.MaintenancePlanIn, course_models.MaintenancePlan, {}),
    (measures.AlertCloseIn, RiskAlert, {}),
    (measures.ConcernIn, RiskAlert, {"concern": "summary"}),
]


def _max_length(schema: dict[str, Any]) -> int | None:
    if "maxLength" in schema:
        return int(schema["maxLength"])
    lengths = [_max_length(option) for option in schema.get("anyOf", [])]
    return next((length for length in lengths if length is not None), None)


def _column_limit(model: type[models.Model], name: str) -> int | None:
    for candidate in (model, RiskAlert):  # a session's concern becomes a risk alert's summary
        if name in {field.name for field in candidate._meta.get_fields()}:
            column = candidate._meta.get_field(name)
            return None if column.choices else column.max_length  # type: ignore[union-attr]
    return None


@pytest.mark.parametrize(("body", "model", "renamed"), BODIES, ids=[body.__name__ for body, _, _ in BODIES])
def test_each_api_text_field_takes_exactly_what_its_column_holds(body, model, renamed):
    """What the API answers fits what it takes, and it takes nothing the pages would refuse."""
    properties = body.model_json_schema()["properties"]
    compared = 0
    for name, schema in properties.items():
        if "string" not in str(schema.get("type", "")) + str(schema.get("anyOf", "")) or "format" in str(schema):
            continue
        column = _column_limit(model, renamed.get(name, name))
        if column is None or "enum" in schema or "enum" in str(schema.get("anyOf", "")):
            continue  # a code or a choice (checked against its list), not a text of the record
        assert _max_length(schema) == column, f"{body.__name__}.{name}: API {_max_length(schema)}, column {column}"
        compared += 1
    assert compared


def test_every_text_field_of_a_body_is_bounded():
    bodies = [
        value
        for module in (client_schemas, course_schemas, initial, measures, middle, sessions, termination)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__name__.endswith(("In", "Patch"))
    ]
    unbounded = [
        f"{body.__name__}.{name}"
        for body in bodies
        for name, schema in body.model_json_schema()["properties"].items()
        if ("string" in str(schema) and "format" not in str(schema) and "enum" not in str(schema))
        and _max_length(schema) is None
        and schema.get("type") != "array"
        and "array" not in str(schema.get("anyOf", ""))
    ]
    assert not unbounded


# --- Through a page, the API and a service -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def records(personas) -> CourseRecords:
    return full_course(personas.client_a, personas.therapist_a)


SESSION_FORM = {
    "held_on": "2026-09-22",
    "attendance": "attended",
    "homework_review": "none_set",
    "risk_check": "no_concern",
    "concern": "",
}


@pytest.mark.django_db
def test_a_page_refuses_a_note_over_its_limit_and_saves_nothing(personas, records):
    http = logged_in(personas.therapist_a)
    url = reverse("course-session-new", args=[records.course.pk])
    page = http.get(url).content.decode()
    assert f'maxlength="{NOTE_MAX}"' in page  # the browser stops at the limit too
    response = http.post(url, {**SESSION_FORM, "note": "x" * (NOTE_MAX + 1)})
    assert response.status_code == 400  # the form sent back with its errors
    assert f"at most {NOTE_MAX}" in response.content.decode().replace(",", "")
    assert not CourseSession.objects.filter(course=records.course, number=2).exists()
    assert http.post(url, {**SESSION_FORM, "note": "x" * NOTE_MAX}).status_code == 302  # the limit itself is kept


@pytest.mark.django_db
def test_the_api_refuses_a_text_over_its_limit_naming_the_field_and_takes_back_what_it_answered(personas, records):
    api = api_as(personas.therapist_a, personas.org_a)
    path = f"/courses/{records.course.pk}/assessment"
    refused = api.put(path, {"presenting_problems": "x" * (NOTE_MAX + 1)})
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["detail"]] == ["presenting_problems"]
    assert "at most" in refused.json()["detail"][0]["message"]
    stored = api.put(path, {"presenting_problems": "y" * NOTE_MAX})
    assert stored.status_code == 200
    read = stored.json()
    body = {name: read[name] for name in initial.AssessmentIn.model_fields if name in read}
    assert api.put(path, body).status_code == 200  # what it read, written back as it is


@pytest.mark.django_db
def test_the_api_refuses_a_concern_it_used_to_cut_to_300_characters(personas):
    api = api_as(personas.therapist_a, personas.org_a)
    response = api.post(f"/clients/{personas.client_a.pk}/alerts", {"concern": "z" * 301})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "concern"
    assert not RiskAlert.objects.filter(client=personas.client_a).exists()


@pytest.mark.django_db
def test_a_service_refuses_a_text_over_its_limit_whoever_calls_it(personas, records):
    actor = personas.actor(personas.therapist_a)
    with pytest.raises(ValidationError) as refused:
        goal_add(actor=actor, problem_area=records.problem_area, text="g" * (NOTE_MAX + 1))
    assert refused.value.message_dict == {"text": [too_long(NOTE_MAX).format(length=NOTE_MAX + 1)]}
    assert Goal.objects.filter(course=records.course).count() == 1


@pytest.mark.django_db
def test_the_settings_page_refuses_crisis_contacts_over_their_limit(personas):
    http = logged_in(personas.admin_a)
    organisation = personas.org_a
    response = http.post(
        reverse("organisation-settings"),
        {"name": organisation.name, "time_zone": "UTC", "crisis_contacts": "c" * 2001, "mfa_required": "on"},
    )
    assert response.status_code == 400
    assert "at most 2000" in response.content.decode().replace(",", "")
    assert Organisation.objects.get(pk=organisation.pk).crisis_contacts == organisation.crisis_contacts
