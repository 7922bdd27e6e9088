"""Retries of the API's creating requests with an Idempotency-Key (issue 10, case 5): the same key and body answer
the first answer again and create nothing; another body with the key is 422; a refused request is not kept; keys
are scoped to the member in their organisation, expire after 24 hours, and are kept in the records' transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client as HttpClient

from iptriad.accounts.idempotency import ERROR_KEY_FORMAT, ERROR_KEY_REUSED, KEY_LIFETIME, idempotency_keys_purge
from iptriad.accounts.models import IdempotencyKey
from iptriad.api import retries
from iptriad.clients.models import Client
from iptriad.core.protocol import Phase
from iptriad.courses.models import Course, CourseSession, Goal, InventoryPerson, ProblemAreaChoice, TimelineEvent
from iptriad.datarights.services import client_erase
from iptriad.measures.models import Administration, RiskAlert, SelfReportLink
from iptriad.measures.services import ERROR_UNKNOWN_INSTRUMENT
from tests.api.conftest import Api, api_as, fields, session_api
from tests.conftest import make_client
from tests.courses.factories import full_course, make_course
from tests.measures.factories import PHQ9_NO_RISK, PHQ9_WITH_RISK

pytestmark = pytest.mark.django_db

KEY = "Idempotency-Key"


def new_key() -> str:
    return str(uuid.uuid4())


def administrations_path(personas: Any) -> str:
    return f"/clients/{personas.client_a.pk}/administrations"


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


# --- The case of the issue: a retried administration with a positive item 9 ---------------------------------------


def test_a_retried_administration_with_a_positive_item_9_makes_one_administration_and_one_alert(
    therapist_api, personas
):
    key = new_key()
    body = {"instrument": "phq9", "answers": PHQ9_WITH_RISK}
    first = therapist_api.post(administrations_path(personas), body, **{KEY: key})
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    retried = therapist_api.post(administrations_path(personas), body, **{KEY: key})
    assert retried.status_code == 201
    assert retried["Idempotent-Replayed"] == "true"
    assert retried["Content-Type"] == first["Content-Type"]
    assert retried.content == first.content
    assert len(first.json()["alert_ids"]) == 1
    assert (Administration.objects.count(), RiskAlert.objects.count()) == (1, 1)
    assert retried["Cache-Control"] == first["Cache-Control"]  # a replay is no more cacheable than the answer


def test_the_retry_may_space_and_order_its_json_differently(therapist_api, personas):
    key = new_key()
    first = therapist_api.http.post(
        "/api/v1" + administrations_path(personas),
        '{"instrument": "phq9", "answers": [1,1,1,1,1,1,1,2,1]}',
        content_type="application/json",
        headers={**therapist_api.headers, "Idempotency-Key": key},
    )
    retried = therapist_api.http.post(
        "/api/v1" + administrations_path(personas),
        '{ "answers" : [1, 1, 1, 1, 1, 1, 1, 2, 1],\n  "instrument" : "phq9" }',
        content_type="application/json",
        headers={**therapist_api.headers, "Idempotency-Key": key},
    )
    assert (first.status_code, retried.status_code, retried["Idempotent-Replayed"]) == (201, 201, "true")
    assert Administration.objects.count() == 1


def test_without_the_header_every_request_creates_as_before(therapist_api, personas):
    body = {"instrument": "phq9", "answers": PHQ9_WITH_RISK}
    for _ in range(2):
        response = therapist_api.post(administrations_path(personas), body)
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response
    assert (Administration.objects.count(), RiskAlert.objects.count()) == (2, 2)
    assert not IdempotencyKey.objects.exists()


# --- Misuse of a key ----------------------------------------------------------------------------------------------


def test_the_same_key_with_another_body_is_refused_and_creates_nothing(therapist_api, personas):
    key = new_key()
    therapist_api.post(administrations_path(personas), {"instrument": "phq9", "answers": PHQ9_WITH_RISK}, **{KEY: key})
    other = therapist_api.post(
        administrations_path(personas), {"instrument": "phq9", "answers": PHQ9_NO_RISK}, **{KEY: key}
    )
    assert (other.status_code, fields(other)) == (422, {None: [ERROR_KEY_REUSED]})
    assert "Idempotent-Replayed" not in other
    assert (Administration.objects.count(), RiskAlert.objects.count()) == (1, 1)


def test_the_same_key_on_another_operation_is_refused(therapist_api, personas):
    key = new_key()
    therapist_api.post(administrations_path(personas), {"instrument": "phq9", "answers": PHQ9_WITH_RISK}, **{KEY: key})
    other = therapist_api.post(f"/clients/{personas.client_a.pk}/links", {"instrument": "phq9"}, **{KEY: key})
    assert (other.status_code, fields(other)) == (422, {None: [ERROR_KEY_REUSED]})
    assert not SelfReportLink.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "short",  # fewer than 8 characters
        "x" * 256,  # more than 255
        "has a space in it",
        "two-keys-joined,by-a-proxy",
        'quote"inside-the-key',
        "naïve-non-ascii-key",
        "",
    ],
)
def test_a_malformed_key_is_400_and_creates_nothing(therapist_api, personas, header):
    response = therapist_api.post(
        administrations_path(personas), {"instrument": "phq9", "answers": PHQ9_WITH_RISK}, **{KEY: header}
    )
    assert (response.status_code, fields(response)) == (400, {None: [ERROR_KEY_FORMAT]})
    assert not Administration.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_the_drafts_quoted_string_form_names_the_same_key(therapist_api, personas):
    key = new_key()
    body = {"instrument": "phq9", "answers": PHQ9_WITH_RISK}
    therapist_api.post(administrations_path(personas), body, **{KEY: f'"{key}"'})
    retried = therapist_api.post(administrations_path(personas), body, **{KEY: key})
    assert retried["Idempotent-Replayed"] == "true"
    assert Administration.objects.count() == 1


# --- Refusals are not kept ----------------------------------------------------------------------------------------


def test_a_refused_request_is_not_kept_so_the_key_can_carry_the_corrected_request(therapist_api, personas):
    key = new_key()
    refused = therapist_api.post(administrations_path(personas), {"instrument": "nope", "answers": []}, **{KEY: key})
    assert (refused.status_code, fields(refused)) == (422, {"instrument": [ERROR_UNKNOWN_INSTRUMENT]})
    again = therapist_api.post(administrations_path(personas), {"instrument": "nope", "answers": []}, **{KEY: key})
    assert again.status_code == 422
    assert "Idempotent-Replayed" not in again
    assert not IdempotencyKey.objects.exists()
    corrected = therapist_api.post(
        administrations_path(personas), {"instrument": "phq9", "answers": PHQ9_WITH_RISK}, **{KEY: key}
    )
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected
    assert Administration.objects.count() == 1


def test_a_request_for_a_record_out_of_reach_is_not_kept(personas):
    key = new_key()
    outsider = api_as(personas.therapist_b, personas.org_b)
    body = {"instrument": "phq9", "answers": PHQ9_WITH_RISK}
    assert outsider.post(administrations_path(personas), body, **{KEY: key}).status_code == 404
    assert not IdempotencyKey.objects.exists()


# --- Scope, expiry, storage ---------------------------------------------------------------------------------------


def test_a_key_belongs_to_its_member_another_members_same_key_creates_its_own(therapist_api, supervisor_api, personas):
    key = new_key()
    body = {"instrument": "phq9", "answers": PHQ9_WITH_RISK}
    mine = therapist_api.post(administrations_path(personas), body, **{KEY: key})
    theirs = supervisor_api.post(administrations_path(personas), body, **{KEY: key})
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["id"] != mine.json()["id"]
    assert Administration.objects.count() == 2
    # The member's own session (not only their token) replays their own answer.
    replayed = session_api(personas.therapist_a).post(administrations_path(personas), body, **{KEY: key})
    assert (replayed["Idempotent-Replayed"], replayed.content) == ("true", mine.content)


def test_a_key_is_kept_24_hours_then_free_again(therapist_api, personas, time_machine):
    key = new_key()
    body = {"instrument": "phq9", "answers": PHQ9_WITH_RISK}
    therapist_api.post(administrations_path(personas), body, **{KEY: key})
    kept = IdempotencyKey.objects.get()
    assert kept.expires_at - kept.created_at == KEY_LIFETIME == dt.timedelta(hours=24)
    time_machine.shift(dt.timedelta(hours=23, minutes=59))
    assert therapist_api.post(administrations_path(personas), body, **{KEY: key})["Idempotent-Replayed"] == "true"
    time_machine.shift(dt.timedelta(minutes=1))
    fresh = therapist_api.post(administrations_path(personas), body, **{KEY: key})
    assert (fresh.status_code, "Idempotent-Replayed" in fresh) == (201, False)
    assert Administration.objects.count() == 2
    assert IdempotencyKey.objects.get().pk != kept.pk


def test_expired_keys_are_purged_before_a_request_that_sends_a_key(
    therapist_api, supervisor_api, personas, time_machine
):
    body = {"instrument": "phq9", "answers": PHQ9_WITH_RISK}
    supervisor_api.post(administrations_path(personas), body, **{KEY: new_key()})
    time_machine.shift(dt.timedelta(hours=25))
    therapist_api.post(administrations_path(personas), body)  # no key: no purge
    assert IdempotencyKey.objects.count() == 1
    therapist_api.post(administrations_path(personas), body, **{KEY: new_key()})
    assert list(IdempotencyKey.objects.values_list("user", flat=True)) == [personas.therapist_a.pk]
    time_machine.shift(dt.timedelta(hours=25))
    assert idempotency_keys_purge() == 1


def test_the_kept_answer_is_encrypted_at_rest(therapist_api, personas):
    therapist_api.post(
        administrations_path(personas), {"instrument": "phq9", "answers": PHQ9_WITH_RISK}, **{KEY: new_key()}
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {IdempotencyKey._meta.db_table}")  # noqa: S608
        [(stored,)] = cursor.fetchall()
    assert stored.startswith("enc1:")
    assert "phq9" not in stored


def test_the_key_and_the_answer_commit_with_the_records_or_not_at_all(therapist_api, personas, monkeypatch):
    """A crash after the records were written but before the answer was kept leaves neither behind: the retry
    then creates them once, rather than finding a half-state."""
    key = new_key()
    body = {"instrument": "phq9", "answers": PHQ9_WITH_RISK}

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the process died here")

    monkeypatch.setattr(retries, "idempotency_keep", crash)
    with pytest.raises(RuntimeError, match="died"):
        therapist_api.post(administrations_path(personas), body, **{KEY: key})
    assert (Administration.objects.count(), RiskAlert.objects.count(), IdempotencyKey.objects.count()) == (0, 0, 0)
    monkeypatch.undo()
    assert therapist_api.post(administrations_path(personas), body, **{KEY: key}).status_code == 201
    assert therapist_api.post(administrations_path(personas), body, **{KEY: key})["Idempotent-Replayed"] == "true"
    assert (Administration.objects.count(), RiskAlert.objects.count()) == (1, 1)


# --- Every creating operation -------------------------------------------------------------------------------------

SESSION = {"held_on": "2026-09-08", "homework_review": "none_set", "risk_check": "no_concern"}
# (path template, body, the model one row of which the request creates)
CREATING: list[tuple[str, dict[str, Any], type[Model]]] = [
    (
        "/clients",
        {"identifier": "A-0200", "given_name": "Noor", "family_name": "Placeholm", "date_of_birth": "1979-08-30"},
        Client,
    ),
    ("/clients/{new_client}/courses", {"adaptation": "standard", "opened_on": "2026-09-01"}, Course),
    (
        "/courses/{course}/inventory",
        {"name": "Ali", "relationship": "other", "relationship_detail": "neighbour"},
        InventoryPerson,
    ),
    (
        "/courses/{course}/timeline",
        {"occurred_on": "2026-04-01", "kind": "life_event", "description": "Moved"},
        TimelineEvent,
    ),
    (
        "/courses/{initial_course}/problem-areas",
        {"area": "role_dispute", "evidence": "Rows", "dispute_stage": "impasse"},
        ProblemAreaChoice,
    ),
    ("/problem-areas/{area}/goals", {"text": "Talk calmly"}, Goal),
    (
        "/courses/{course}/sessions",
        {**SESSION, "risk_check": "concern", "concern": "Said life is not worth it."},
        CourseSession,
    ),
    ("/clients/{client}/administrations", {"instrument": "phq9", "answers": PHQ9_WITH_RISK}, Administration),
    ("/clients/{client}/links", {"instrument": "phq9"}, SelfReportLink),
    ("/clients/{client}/alerts", {"concern": "Said life is not worth living."}, RiskAlert),
]


# Group IPT's creating operations, by a supervisor (setting groups up is not a therapist's); tests/api/test_groups.py
# retries them, and the roster's save, which replaces the session's roster (PUT) and takes a key too.
GROUP_CREATING = ["/groups", "/groups/{group}/members"]
# The supervision log's new entry, by a supervisor: tests/supervision/test_api.py retries it.
SUPERVISION_CREATING = ["/supervision/entries"]
# Competency records' creating operation, by a supervisor; tests/competency/test_api.py retries it.
GROUP_CREATING += ["/competency/people/{membership}/training"]
IDEMPOTENT_REPLACING = {"/api/v1/group-sessions/{group_session_id}/roster"}
# Fidelity's rating of a session (issue 13); tests/fidelity/test_api.py retries it.
FIDELITY_CREATING = ["/fidelity-ratings"]


@pytest.fixture
def targets(personas) -> dict[str, int]:
    records = full_course(personas.client_a, personas.therapist_a)
    other = make_client(personas.org_a, "A-0300", personas.therapist_a)
    fresh = make_client(personas.org_a, "A-0301", personas.therapist_a)
    return {
        "client": personas.client_a.pk,
        "new_client": fresh.pk,
        "course": records.course.pk,
        "initial_course": make_course(other, personas.therapist_a, phase=Phase.INITIAL).pk,
        "area": records.problem_area.pk,
    }


@pytest.mark.parametrize(("template", "body", "model"), CREATING, ids=[row[0] for row in CREATING])
def test_every_creating_operation_replays_a_retry(therapist_api: Api, targets, template, body, model):
    path = template.format(**targets)
    key = new_key()
    before = model.objects.count()
    alerts = RiskAlert.objects.count()
    first = therapist_api.post(path, body, **{KEY: key})
    assert first.status_code == 201, first.content
    retried = therapist_api.post(path, body, **{KEY: key})
    assert (retried.status_code, retried["Idempotent-Replayed"], retried.content) == (201, "true", first.content)
    assert model.objects.count() == before + 1
    assert RiskAlert.objects.count() - alerts <= 1  # a concern or a positive item 9: one alert, not two


def test_the_openapi_document_shows_the_header_on_every_creating_operation_and_only_there():
    document = HttpClient().get("/api/v1/openapi.json").json()
    documented = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
            names = [p["name"] for p in headers]
            if (method == "post" and "201" in operation["responses"]) or path in IDEMPOTENT_REPLACING:
                assert names == ["Idempotency-Key"], path
                assert headers[0]["required"] is False
                assert headers[0]["schema"]["maxLength"] == 255
                [success] = [code for code in operation["responses"] if code.startswith("2")]
                assert "Idempotent-Replayed" in operation["responses"][success]["headers"]
                assert operation["responses"]["409"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorOut"
                }
                documented.append(path.removeprefix("/api/v1"))
            else:
                assert "Idempotency-Key" not in names, path
    expected = {template.split("{")[0] for template, _, _ in CREATING} | {
        template.split("{")[0] for template in [*GROUP_CREATING, *SUPERVISION_CREATING, *FIDELITY_CREATING]
    }
    expected |= {path.removeprefix("/api/v1").split("{")[0] for path in IDEMPOTENT_REPLACING}
    assert {path.split("{")[0] for path in documented} == expected
    assert len(documented) == (
        len(CREATING)
        + len(GROUP_CREATING)
        + len(SUPERVISION_CREATING)
        + len(FIDELITY_CREATING)
        + len(IDEMPOTENT_REPLACING)
    )


def test_an_erased_clients_kept_answers_go_with_the_client(therapist_api, personas):
    key = new_key()
    body = {"instrument": "phq9", "answers": PHQ9_NO_RISK}
    assert therapist_api.post(administrations_path(personas), body, **{KEY: key}).status_code == 201
    client_erase(actor=personas.actor(personas.admin_a), client=personas.client_a, reason="client_request")
    assert not IdempotencyKey.objects.exists()
    assert therapist_api.post(administrations_path(personas), body, **{KEY: key}).status_code == 404
