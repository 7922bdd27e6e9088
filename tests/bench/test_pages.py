"""The page benchmark's requests (bench/pages.py) are real: each page answers itself to its signed-in person, each
write makes its row, and the mixed load's order follows its weights."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest
from django.test import Client as HttpClient

from bench.pages import MIX, Request, lua_script, spread, targets_for
from bench.scale_all import TIERS, build
from iptriad.courses.models import CourseSession
from iptriad.measures.models import SelfReportLink


def send(http: HttpClient, request: Request):
    headers = dict(request.headers)
    content_type = headers.pop("Content-Type", "application/octet-stream")
    return http.generic(request.method, request.path, request.body, content_type=content_type, headers=headers)


@pytest.mark.django_db
def test_every_page_answers_itself_and_every_write_makes_its_row():
    build("scale-t", TIERS["T"], seed=3, refresh=False)
    targets = {target.name: target for target in targets_for("scale-t", links=10, therapists=2)}
    assert set(MIX) == set(targets)
    http = HttpClient()
    for name, target in targets.items():
        if target.write:
            continue
        response = send(http, target.requests[0])
        assert response.status_code == 200, name  # signed in: the login page would be a 302

    sessions = targets["record a session (post)"]
    before = CourseSession.objects.count()
    for request in sessions.requests[:3]:
        response = send(http, request)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"].startswith("/courses/sessions/")
    assert CourseSession.objects.count() == before + 3
    assert len({request.path for request in sessions.requests}) == len(sessions.requests)  # a course each

    links = targets["self-report (post)"]
    for request in links.requests[:2]:
        assert send(http, request).status_code == 200
    used = SelfReportLink.objects.filter(pk__in=links.link_ids, used_at__isnull=False)
    assert used.count() == 2
    assert all(link.administration_id is not None for link in used)


def test_the_mixed_load_follows_its_weights_without_bursts():
    weights = list(MIX.values())
    order = spread(weights)
    assert Counter(order) == dict(enumerate(weights))
    writes = {list(MIX).index("record a session (post)"), list(MIX).index("self-report (post)")}
    assert not any(first in writes and second in writes for first, second in pairwise(order))


def test_the_wrk_script_quotes_what_it_sends():
    script = lua_script([[Request("POST", '/r/a"b\\c/', {"Cookie": 'x="y"'}, "item_1=1")]], [0])
    assert r'"/r/a\"b\\c/"' in script
    assert r'["Cookie"] = "x=\"y\""' in script
    assert "local sequence = {1}" in script
