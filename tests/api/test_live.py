"""The API over a real socket: a live server and urllib, as an external script would call it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.api.conftest import token_for
from tests.measures.factories import PHQ9_WITH_RISK

pytestmark = pytest.mark.django_db(transaction=True)


def call(url: str, token: str | None = None, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if body is not None else "GET")  # noqa: S310 - the test's own live server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the test's own live server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_script_with_a_token_records_a_phq9_and_closes_the_alert(live_server, personas):
    base = f"{live_server.url}/api/v1"
    token = token_for(personas.therapist_a, personas.org_a)
    assert call(f"{base}/clients")[0] == 401
    assert call(f"{base}/openapi.json")[0] == 200
    status, page = call(f"{base}/clients", token)
    assert (status, [client["identifier"] for client in page["items"]]) == (200, ["A-0001"])
    status, created = call(
        f"{base}/clients",
        token,
        {"identifier": "A-0300", "given_name": "Ines", "family_name": "Livewire", "date_of_birth": "1988-02-03"},
    )
    assert status == 201
    status, course = call(f"{base}/clients/{created['id']}/courses", token, {"adaptation": "standard"})
    assert (status, course["phase"]) == (201, "initial")
    status, administration = call(
        f"{base}/clients/{created['id']}/administrations", token, {"instrument": "phq9", "answers": PHQ9_WITH_RISK}
    )
    assert (status, administration["course_id"], administration["total"]) == (201, course["id"], 10.0)
    closed = {"assessment": "No plan or intent.", "risk_level": "low", "action": "safety_plan"}
    status, alert = call(f"{base}/alerts/{administration['alert_ids'][0]}/close", token, closed)
    assert (status, alert["is_open"]) == (200, False)
    status, refused = call(f"{base}/clients/{personas.client_b.pk}", token)
    assert (status, refused) == (404, {"detail": [{"field": None, "message": "Not found."}]})
