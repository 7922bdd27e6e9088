"""The session roster page: one screen for a whole group session, saved once, with risk shown to the facilitator."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.models import Role
from iptriad.groups.models import GroupMember, SessionAttendance
from iptriad.measures.models import Administration, RiskAlert
from tests.conftest import logged_in, make_user
from tests.groups.factories import joined_members, make_clients, make_group

pytestmark = pytest.mark.django_db

MODERATE = [2, 2, 1, 1, 2, 1, 1, 1, 0, 1]  # PHQ-9 items 1-10 as option positions
SELF_HARM = [2, 2, 1, 1, 2, 1, 1, 1, 2, 1]


def _group(personas, size: int, name: str = "Tuesday group"):
    admin, facilitator = personas.actor(personas.admin_a), personas.actor(personas.facilitator_a)
    group = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a2, name=name)
    members = joined_members(admin, facilitator, group, make_clients(personas.org_a, size, prefix=name[:3]))
    return group, members


def _post(
    members: list[GroupMember],
    *,
    answers: list[int] | Callable[[GroupMember], list[int]] = MODERATE,
    worried: tuple[GroupMember, ...] = (),
    absent: tuple[GroupMember, ...] = (),
    once: str | None = None,
) -> dict[str, str]:
    data = {"held_on": timezone.localdate().isoformat(), "note": "Good energy today"}
    for member in members:
        prefix = f"member_{member.pk}_"
        if member in absent:
            data[prefix + "status"] = "absent"
            continue
        data[prefix + "status"] = "present"
        chosen = answers(member) if callable(answers) else answers
        for number, position in enumerate(chosen, start=1):
            data[f"{prefix}q{number}"] = str(position)
        if member in worried:
            data[prefix + "worried"] = "on"
            data[prefix + "concern"] = "Said she cannot go on"
    if once is not None:
        data["once_key"] = once
    return data


def _roster_queries(personas, size: int, name: str) -> int:
    group, _members = _group(personas, size, name=name)
    http = logged_in(personas.facilitator_a, personas.org_a)
    url = reverse("groups_session", args=[group.sessions.get(number=1).pk])
    http.get(url)  # the first request of a session writes its clocks
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


def test_the_roster_runs_the_same_number_of_queries_for_3_and_15_members(personas):
    small = _roster_queries(personas, 3, "Small group")
    large = _roster_queries(personas, 15, "Large group")
    assert small == large
    assert small <= 16


def test_a_facilitator_saves_a_session_of_twelve_with_a_self_harm_answer(personas):
    group, members = _group(personas, 12)
    session = group.sessions.get(number=1)
    http = logged_in(personas.facilitator_a, personas.org_a)
    url = reverse("groups_session", args=[session.pk])
    page = http.get(url)
    assert page.status_code == 200
    assert "Session guide" in page.content.decode()
    at_risk = members[4]
    response = http.post(
        url, _post(members, answers=lambda member: SELF_HARM if member == at_risk else MODERATE), follow=True
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "12 of 12 members attended, 12 symptom checks recorded" in body
    assert "Safety: what to do now" in body
    assert at_risk.client.given_name in body
    assert SessionAttendance.objects.filter(session=session, symptom_check__isnull=False).count() == 12
    alert = RiskAlert.objects.get(client=at_risk.client)
    assert GroupMember.objects.get(pk=at_risk.pk).held_alert == alert


def test_saving_twice_with_the_same_key_records_once(personas):
    group, members = _group(personas, 3)
    session = group.sessions.get(number=1)
    http = logged_in(personas.facilitator_a, personas.org_a)
    url = reverse("groups_session", args=[session.pk])
    data = _post(members, once=str(uuid.uuid4()))
    first = http.post(url, data)
    second = http.post(url, data)
    assert first.status_code == second.status_code == 302
    contexts = [member.treatment_context_id for member in members]
    assert Administration.objects.filter(context_id__in=contexts, occasion__isnull=False).count() == 3


def test_a_missing_attendance_is_a_form_error_and_nothing_is_written(personas):
    group, members = _group(personas, 3)
    session = group.sessions.get(number=1)
    http = logged_in(personas.facilitator_a, personas.org_a)
    data = _post(members)
    del data[f"member_{members[1].pk}_status"]
    response = http.post(reverse("groups_session", args=[session.pk]), data)
    assert response.status_code == 400
    assert "Choose present, absent, excused or make-up." in response.content.decode()
    assert not SessionAttendance.objects.filter(session=session).exists()


def test_answers_for_an_absent_member_come_back_as_an_error(personas):
    group, members = _group(personas, 3)
    session = group.sessions.get(number=1)
    http = logged_in(personas.facilitator_a, personas.org_a)
    data = _post(members)
    data[f"member_{members[0].pk}_status"] = "absent"
    response = http.post(reverse("groups_session", args=[session.pk]), data)
    assert response.status_code == 400
    assert "is marked absent, but has symptom-check answers" in response.content.decode()
    assert not Administration.objects.filter(occasion__isnull=False, client=members[0].client).exists()


def test_another_facilitator_and_the_administrator_get_404(personas):
    group, _members = _group(personas, 3)
    url = reverse("groups_session", args=[group.sessions.get(number=1).pk])
    other = make_user("facilitator.two@alpha.example", "Fara Two", personas.org_a, Role.FACILITATOR)
    assert logged_in(other, personas.org_a).get(url).status_code == 404
    assert logged_in(personas.admin_a, personas.org_a).get(url).status_code == 404
    assert logged_in(personas.therapist_a2, personas.org_a).get(url).status_code == 200  # supervising clinician
    assert logged_in(personas.therapist_b, personas.org_b).get(url).status_code == 404


def test_a_self_harm_answer_with_a_blank_item_still_alerts_and_holds(personas):
    group, members = _group(personas, 3)
    http = logged_in(personas.facilitator_a, personas.org_a)
    data = _post(members)
    at_risk = members[2]
    data[f"member_{at_risk.pk}_q9"] = "3"  # "Nearly every day"
    del data[f"member_{at_risk.pk}_q3"]  # a question left blank
    response = http.post(reverse("groups_session", args=[group.sessions.get(number=1).pk]), data)
    assert response.status_code == 302
    alert = RiskAlert.objects.get(client=at_risk.client)
    assert alert.item_number == 9
    assert GroupMember.objects.get(pk=at_risk.pk).held_alert == alert


def test_a_refused_roster_gives_the_self_harm_answer_back_on_the_form(personas):
    """A roster refused whole (a member's attendance missing) writes nothing; the page comes back with the error
    and every answer as given, the self-harm one included, for the facilitator to save again."""
    group, members = _group(personas, 3)
    http = logged_in(personas.facilitator_a, personas.org_a)
    data = _post(members)
    at_risk = members[2]
    data[f"member_{at_risk.pk}_q9"] = "3"
    del data[f"member_{members[0].pk}_status"]
    response = http.post(reverse("groups_session", args=[group.sessions.get(number=1).pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose present, absent, excused or make-up." in body
    assert f'name="member_{at_risk.pk}_q9" value="3" id="id_member_{at_risk.pk}_q9_3" checked' in body
    assert not RiskAlert.objects.filter(client=at_risk.client).exists()
    assert not SessionAttendance.objects.filter(session__group=group).exists()
