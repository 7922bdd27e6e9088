"""IDOR on every page URL that addresses an object: only the member's own organisation's objects of that type exist.

Each URL pattern with an id is probed, by a member its row lets in, with the ids of organisation B's objects of
EVERY type (a course id under a client URL, an alert id under a goal URL...), ids that exist nowhere, and ids at
and past the database's integer limits; every probe answers 404, shows nothing of organisation B and writes
nothing. A guard fails when a URL pattern with a converter is neither probed here nor exempted with a reason.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db.models import Max, Model
from django.urls import reverse

from iptriad.accounts.models import Membership
from iptriad.clients.models import Client
from iptriad.competency.models import Certification, TrainingRecord
from iptriad.courses.models import Course, CourseSession, Goal, InventoryPerson, ProblemAreaChoice, TimelineEvent
from iptriad.datarights.models import ExportRequest
from iptriad.fidelity.models import FidelityRating
from iptriad.groups.models import (
    Group,
    GroupMember,
    GroupSession,
    GroupTemplate,
    OutreachTask,
    ProgrammeSite,
    Referral,
)
from iptriad.measures.models import Administration, RiskAlert, SelfReportLink
from iptriad.supervision.models import SupervisionAction, SupervisionEntry
from tests.conftest import Personas, logged_in
from tests.security.fingerprint import changed_since, data_fingerprint, enrol_everyone
from tests.security.matrix_rows import ROWS
from tests.security.pages import is_page, member_for, url_patterns

pytestmark = pytest.mark.django_db

# The model each matrix target names.
TARGET_MODELS: dict[str, type[Model]] = {
    "client": Client,
    "administration": Administration,
    "link": SelfReportLink,
    "alert": RiskAlert,
    "course": Course,
    "person": InventoryPerson,
    "event": TimelineEvent,
    "problem_area": ProblemAreaChoice,
    "goal": Goal,
    "session": CourseSession,
    "membership": Membership,
    "export_request": ExportRequest,
    "site": ProgrammeSite,
    "group_template": GroupTemplate,
    "group": Group,
    "group_member": GroupMember,
    "group_session": GroupSession,
    "referral": Referral,
    "outreach": OutreachTask,
    "supervision_entry": SupervisionEntry,
    "supervision_action": SupervisionAction,
    "fidelity_rating": FidelityRating,
    "competency_member": Membership,
    "competency_training": TrainingRecord,
    "competency_certification": Certification,
}
# Ids no row has: zero, the edges of 32- and 64-bit integers, and past them.
EDGE_IDS = ("0", str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63), str(10**30))
# Not a number at all: the int converter must not match them (the resolver's own 404).
NOT_IDS = ("-1", "1.0", "0x1", "1%20", "%C2%B2")
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")
SENTINEL = 987_654_321


def _object_patterns() -> dict[str, str]:
    return {name: route for name, route in url_patterns() if CONVERTER.search(route) and is_page(name)}


def test_every_page_pattern_with_an_id_is_probed():
    probed = {name for name, row in ROWS.items() if row.target in TARGET_MODELS}
    # Tokens, and programmes (addressed by slug, owned by no organisation: tests/security/test_programme_leads.py).
    tokens = {name for name, row in ROWS.items() if row.target in ("token", "stop_token", "programme")}
    unprobed = set(_object_patterns()) - probed - tokens
    assert not unprobed, f"URL patterns with an id that no IDOR probe reaches: {unprobed}"
    assert len(probed & set(_object_patterns())) >= 35


def _ids_of_organisation_b(personas: Personas) -> dict[str, set[int]]:
    return {
        target: set(model._default_manager.filter(organisation=personas.org_b).values_list("pk", flat=True))
        for target, model in TARGET_MODELS.items()
    }


def _own_ids(target: str, personas: Personas) -> set[int]:
    model = TARGET_MODELS[target]
    return set(model._default_manager.filter(organisation=personas.org_a).values_list("pk", flat=True))


def _probe(http: Any, method: str, url: str, form: dict[str, str]) -> Any:
    return http.get(url) if method == "get" else http.post(url, form)


def _secrets_of_b(personas: Personas) -> list[bytes]:
    # Long enough never to turn up by chance in a page's random CSRF token.
    return [
        personas.client_b.family_name.encode(),
        personas.client_b.identifier.encode(),
        personas.org_b.name.encode(),
        personas.therapist_b.full_name.encode(),
    ]


@pytest.mark.slow  # over ten seconds: `make test` runs it, `make test-fast` leaves it out
def test_every_object_url_answers_404_to_foreign_mixed_and_impossible_ids(personas, objects):
    # `objects`: both organisations' objects of every type, whose ids are probed.
    foreign = _ids_of_organisation_b(personas)
    foreign_ids = sorted({pk for ids in foreign.values() for pk in ids})
    highest = max(model._default_manager.aggregate(m=Max("pk"))["m"] or 0 for model in TARGET_MODELS.values())
    missing = str(highest + 1000)
    secrets = _secrets_of_b(personas)
    enrol_everyone()  # the verified sessions below need devices: not a write of the probes
    before = data_fingerprint()
    probes = 0
    for name, row in sorted(ROWS.items()):
        if row.target not in TARGET_MODELS or not is_page(name):
            continue
        member = member_for(row, personas, 200) or member_for(row, personas, 302)
        assert member is not None, name
        http = logged_in(member)
        template = reverse(name, args=[SENTINEL]) + row.query
        own = _own_ids(row.target, personas)
        form = {key: value.format(org_b=personas.org_b.pk) for key, value in row.form.items()}
        candidates = [str(pk) for pk in foreign_ids if pk not in own] + [missing, *EDGE_IDS, *NOT_IDS]
        for candidate in candidates:
            response = _probe(http, row.method, template.replace(str(SENTINEL), candidate), form)
            probes += 1
            assert response.status_code == 404, (name, candidate, response.status_code)
            for secret in secrets:
                assert secret not in response.content, (name, candidate, secret)
    assert changed_since(before) == []
    assert probes >= 35 * 15


def test_a_self_report_token_of_the_wrong_shape_or_another_link_is_unavailable(personas, objects):
    http = logged_in(personas.therapist_a)
    for token in ("x", "0" * 43, objects.clinical.token_a[:-1], objects.clinical.token_a + "A", "%00", "..%2F..%2F"):
        response = http.get(f"/r/{token}/")
        assert response.status_code == 404, token
        assert personas.client_a.family_name.encode() not in response.content
