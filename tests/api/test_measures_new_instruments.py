"""The EDE-Q's count items and the ASRM through the API (issue 10: IPSRT and IPT-BN measures)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

COUNTS = range(13, 19)


def test_the_api_describes_the_counts_and_records_the_edeq(therapist_api, personas):
    listed = {entry["code"]: entry for entry in therapist_api.get("/instruments").json()}
    items = listed["edeq"]["items"]
    assert [item["count_max"] for item in items[12:18]] == [999] * 6
    assert all(item["options"] == [] and not item["scored"] for item in items[12:18])
    assert (items[0]["count_max"], len(items[0]["options"])) == (None, 7)
    assert (listed["asrm"]["item_text"], len(listed["asrm"]["items"])) == ("local", 5)
    answers = [5 if n in COUNTS else 6 for n in range(1, 29)]
    recorded = therapist_api.post(
        f"/clients/{personas.client_a.pk}/administrations", {"instrument": "edeq", "answers": answers}
    )
    assert recorded.status_code == 201
    body = recorded.json()
    assert (body["total"], body["band"], body["alert_ids"]) == (6.0, "clinically significant range", [])
    assert body["answers"][12] == {"item_number": 13, "position": 5, "score": None, "option_text": None}
    refused = therapist_api.post(
        f"/clients/{personas.client_a.pk}/administrations",
        {"instrument": "edeq", "answers": [*answers[:12], -1, *answers[13:]]},
    )
    assert refused.status_code == 422
