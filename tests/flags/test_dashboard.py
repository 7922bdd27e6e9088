"""The supervision dashboard: people worst first, what changed since their last supervision, the drill-down to the
record, who sees whose rows, and a fixed number of queries whatever the caseload.

Flags rows are written straight in the database, as iptriad.flags stores them: the dashboard only reads them.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.models import Role, User
from iptriad.audit.chain import append_statements
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.flags import RULES_VERSION, FlagCode, rule, severity
from iptriad.flags.dashboard import cache
from iptriad.flags.dashboard.rows import day
from iptriad.flags.models import ContextFlags
from iptriad.groups.models import GroupMember
from iptriad.supervision.models import SupervisionEntry
from tests.conftest import logged_in, make_client, make_user
from tests.courses.factories import make_course
from tests.groups.factories import group_records

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
_numbers = itertools.count(1)


def _rank(code: FlagCode) -> int:
    return severity(code)


def flagged_course(
    therapist: User,
    *codes: FlagCode,
    changed: dt.date = TODAY - dt.timedelta(days=30),
    since: dt.date | None = None,
    last_review_on: dt.date | None = None,
    active: bool = True,
    family_name: str = "",
) -> ContextFlags:
    """An open course of a new client of the therapist's organisation, with the flags given (none: a clear case)."""
    organisation = therapist.memberships.get().organisation
    number = next(_numbers)
    client = make_client(
        organisation, f"F-{number:05d}", therapist, given_name="Dana", family_name=family_name or f"Flagson{number}"
    )
    course = make_course(client, therapist)
    return _flags_row(
        course.treatment_context_id, client, therapist, "course", codes, changed, since, last_review_on, active
    )


def _flags_row(context_id, client, clinician, kind, codes, changed, since, last_review_on, active) -> ContextFlags:
    ordered = sorted(codes, key=_rank)
    return ContextFlags.objects.create(
        organisation_id=client.organisation_id,
        treatment_context_id=context_id,
        client=client,
        kind=kind,
        clinician=clinician,
        active=active,
        flags=[{"code": code.value, "why": f"why {code.value}", "since": str(since or changed)} for code in ordered],
        flag_count=len(ordered),
        worst=_rank(ordered[0]) if ordered else None,
        rules_version=RULES_VERSION,
        last_review_on=last_review_on,
        changed_at=dt.datetime.combine(changed, dt.time(12), tzinfo=dt.UTC),
    )


def meeting(personas, held_on: dt.date, *attendees: User) -> SupervisionEntry:
    entry = SupervisionEntry.objects.create(
        organisation=personas.org_a, held_on=held_on, led_by=personas.supervisor_a, recorded_by=personas.supervisor_a
    )
    entry.attendees.set(attendees)
    return entry


def _membership(user: User) -> int:
    return user.memberships.get().pk


def _page(user: User, name: str = "supervision-dashboard", *args: int):
    response = logged_in(user).get(reverse(name, args=args))
    assert response.status_code == 200
    return response, response.content.decode()


def test_it_lists_people_worst_first_by_gravest_flag_then_flagged_count(personas):
    flagged_course(personas.therapist_a, FlagCode.MISSED_SESSIONS)
    flagged_course(personas.therapist_a, FlagCode.OVERDUE_MEASURES)
    flagged_course(personas.therapist_a2, FlagCode.SELF_HARM, FlagCode.OVERDUE_MEASURES)
    flagged_course(personas.facilitator_a, FlagCode.MISSED_SESSIONS)  # fewer flagged cases than therapist_a
    response, html = _page(personas.supervisor_a)
    people = [person.name for person in response.context["dashboard"].people]
    assert people == ["Tove Alpha", "Tara Alpha", "Femi Alpha"]
    first = response.context["dashboard"].people[0]
    assert first.gravest == rule(FlagCode.SELF_HARM).title
    assert (first.flagged_cases, first.active_cases) == (1, 1)
    assert html.index("Tove Alpha") < html.index("Tara Alpha") < html.index("Femi Alpha")
    assert rule(FlagCode.SELF_HARM).title in html
    assert "why self_harm" in html


def test_everyone_shows_even_with_nothing_flagged_and_clear_cases_count_as_active(personas):
    flagged_course(personas.therapist_a)  # open, nothing fires
    response, _ = _page(personas.supervisor_a)
    rows = {person.name: person for person in response.context["dashboard"].people}
    assert set(rows) == {"Tara Alpha", "Tove Alpha", "Femi Alpha"}  # therapists and facilitators, not the others
    assert (rows["Tara Alpha"].active_cases, rows["Tara Alpha"].flagged_cases, rows["Tara Alpha"].gravest) == (1, 0, "")


def test_closed_cases_are_left_out(personas):
    flagged_course(personas.therapist_a, FlagCode.SELF_HARM, active=False)
    response, _ = _page(personas.supervisor_a)
    tara = next(person for person in response.context["dashboard"].people if person.name == "Tara Alpha")
    assert (tara.active_cases, tara.flagged_cases, tara.cases) == (0, 0, [])


def test_it_counts_what_changed_and_cleared_since_the_persons_last_supervision(personas):
    last = TODAY - dt.timedelta(days=7)
    meeting(personas, TODAY - dt.timedelta(days=21), personas.therapist_a)
    meeting(personas, last, personas.therapist_a)
    flagged_course(personas.therapist_a, FlagCode.MISSED_SESSIONS, changed=last + dt.timedelta(days=2))  # changed
    flagged_course(personas.therapist_a, FlagCode.OVERDUE_MEASURES, changed=last - dt.timedelta(days=3))  # before
    flagged_course(personas.therapist_a, changed=last + dt.timedelta(days=1))  # its flags cleared since
    flagged_course(personas.therapist_a, changed=last - dt.timedelta(days=1))  # cleared before the meeting
    flagged_course(personas.therapist_a2, FlagCode.SELF_HARM, changed=last + dt.timedelta(days=1))  # never met
    response, html = _page(personas.supervisor_a)
    rows = {person.name: person for person in response.context["dashboard"].people}
    tara, tove = rows["Tara Alpha"], rows["Tove Alpha"]
    assert (tara.last_meeting, tara.changed_since, tara.cleared_since) == (last, 1, 1)
    assert (tove.last_meeting, tove.changed_since, tove.cleared_since) == (None, 0, 0)
    assert "since then 1 flagged case changed and 1 cleared" in html
    assert "No supervision logged" in html


def test_leading_a_meeting_counts_as_the_persons_supervision(personas):
    SupervisionEntry.objects.create(
        organisation=personas.org_a, held_on=TODAY, led_by=personas.therapist_a, recorded_by=personas.therapist_a
    )
    response, _ = _page(personas.supervisor_a)
    tara = next(person for person in response.context["dashboard"].people if person.name == "Tara Alpha")
    assert tara.last_meeting == TODAY


def test_a_flag_raised_after_the_last_review_is_marked_new(personas):
    reviewed = TODAY - dt.timedelta(days=10)
    meeting(personas, TODAY - dt.timedelta(days=30), personas.therapist_a)
    row = flagged_course(
        personas.therapist_a, FlagCode.MISSED_SESSIONS, changed=TODAY - dt.timedelta(days=2), last_review_on=reviewed
    )
    old = flagged_course(
        personas.therapist_a,
        FlagCode.OVERDUE_MEASURES,
        changed=TODAY - dt.timedelta(days=2),
        since=reviewed - dt.timedelta(days=5),
        last_review_on=reviewed,
    )
    _, html = _page(personas.supervisor_a, "supervision-dashboard-person", _membership(personas.therapist_a))
    assert f"<strong>New:</strong> <strong>{rule(FlagCode.MISSED_SESSIONS).title}</strong>" in html
    assert f"<strong>New:</strong> <strong>{rule(FlagCode.OVERDUE_MEASURES).title}</strong>" not in html
    assert row.client.full_name in html
    assert old.client.full_name in html


def test_the_drill_down_goes_person_then_cases_then_the_record(personas):
    for _ in range(5):
        flagged_course(personas.therapist_a, FlagCode.MISSED_SESSIONS)
    self_harm = flagged_course(personas.therapist_a, FlagCode.SELF_HARM)
    records = group_records(personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a)
    member = records.member
    _flags_row(
        member.treatment_context_id, member.client, personas.facilitator_a, "group",
        (FlagCode.MISSED_SESSIONS,), TODAY, None, None, True,
    )  # fmt: skip
    response, html = _page(personas.supervisor_a)
    person_url = reverse("supervision-dashboard-person", args=[_membership(personas.therapist_a)])
    assert f'href="{person_url}"' in html
    assert "All 6 flagged cases of Tara Alpha" in html
    tara = next(person for person in response.context["dashboard"].people if person.name == "Tara Alpha")
    assert len(tara.cases) == 3
    assert tara.cases[0].client_name == self_harm.client.full_name  # the gravest first
    course_url = reverse("course-detail", args=[self_harm.treatment_context.course.pk])
    assert f'href="{course_url}"' in html
    assert f'href="{reverse("groups_member", args=[member.pk])}"' in html
    _, person_html = _page(personas.supervisor_a, "supervision-dashboard-person", _membership(personas.therapist_a))
    assert person_html.count('<td data-label="Client">') == 6
    assert logged_in(personas.supervisor_a).get(course_url).status_code == 200


def test_a_group_member_moved_to_another_group_opens_where_they_are_now(personas):
    records = group_records(personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a)
    old = records.member
    GroupMember.objects.filter(pk=old.pk).update(status="transferred")
    later = group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, label="Later",
        client=old.client,
    )  # fmt: skip
    GroupMember.objects.filter(pk=later.member.pk).update(
        treatment_context_id=old.treatment_context_id, added_at=old.added_at + dt.timedelta(days=1)
    )
    _flags_row(
        old.treatment_context_id, old.client, personas.facilitator_a, "group",
        (FlagCode.MISSED_SESSIONS,), TODAY, None, None, True,
    )  # fmt: skip
    _, html = _page(personas.facilitator_a)
    assert f'href="{reverse("groups_member", args=[later.member.pk])}"' in html
    assert f'href="{reverse("groups_member", args=[old.pk])}"' not in html


def test_another_organisations_rows_never_appear(personas):
    flagged_course(personas.therapist_b, FlagCode.SELF_HARM, family_name="Betaflag")
    flagged_course(personas.therapist_a, FlagCode.MISSED_SESSIONS)
    response, html = _page(personas.supervisor_a)
    assert "Betaflag" not in html
    assert "Tomas Beta" not in html
    assert response.context["dashboard"].flagged_cases == 1
    http = logged_in(personas.supervisor_a)
    assert (
        http.get(reverse("supervision-dashboard-person", args=[_membership(personas.therapist_b)])).status_code == 404
    )


def test_a_therapist_sees_only_their_own_row_and_cases(personas):
    mine = flagged_course(personas.therapist_a, FlagCode.MISSED_SESSIONS)
    theirs = flagged_course(personas.therapist_a2, FlagCode.SELF_HARM)
    response, html = _page(personas.therapist_a)
    assert [person.name for person in response.context["dashboard"].people] == ["Tara Alpha"]
    assert mine.client.full_name in html
    assert theirs.client.full_name not in html
    assert "Tove Alpha" not in html
    http = logged_in(personas.therapist_a)
    assert (
        http.get(reverse("supervision-dashboard-person", args=[_membership(personas.therapist_a2)])).status_code == 404
    )
    assert (
        http.get(reverse("supervision-dashboard-person", args=[_membership(personas.therapist_a)])).status_code == 200
    )


def test_an_administrator_sees_no_flags(personas):
    flagged_course(personas.therapist_a, FlagCode.SELF_HARM)
    http = logged_in(personas.admin_a)
    assert http.get(reverse("supervision-dashboard")).status_code == 403
    assert (
        http.get(reverse("supervision-dashboard-person", args=[_membership(personas.therapist_a)])).status_code == 404
    )


def test_someone_who_is_not_a_clinician_here_has_no_person_page(personas):
    http = logged_in(personas.supervisor_a)
    assert http.get(reverse("supervision-dashboard-person", args=[_membership(personas.admin_a)])).status_code == 404
    assert http.get(reverse("supervision-dashboard-person", args=[999_999])).status_code == 404


def test_the_names_shown_are_audited_as_a_list_of_clients(personas):
    shown = flagged_course(personas.therapist_a, FlagCode.SELF_HARM)
    _page(personas.supervisor_a)
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_LISTED)
    assert event.detail["client_ids"] == [shown.client_id]
    assert event.actor_id == personas.supervisor_a.pk


def test_the_supervisors_home_names_the_gravest_cases_with_their_rules_and_records_who_saw_them(personas):
    graver = flagged_course(personas.therapist_a2, FlagCode.SELF_HARM, family_name="Graver")
    milder = flagged_course(personas.therapist_a, FlagCode.OVERDUE_MEASURES, family_name="Milder")
    _, html = _page(personas.supervisor_a, "home")
    assert reverse("supervision-dashboard") in html
    assert "Tove Alpha" in html
    gravest = html.index("Not on track: the gravest cases")
    assert gravest < html.index(graver.client.family_name) < html.index(milder.client.family_name)
    assert rule(FlagCode.SELF_HARM).title in html
    assert rule(FlagCode.OVERDUE_MEASURES).title in html
    assert reverse("course-detail", args=[graver.treatment_context.course.pk]) in html
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_LISTED)
    assert event.detail["client_ids"] == [graver.client_id, milder.client_id]
    assert event.detail["list"] == "home"


def test_the_supervisors_home_names_no_client_when_nothing_is_flagged(personas):
    flagged_course(personas.therapist_a2)
    _, html = _page(personas.supervisor_a, "home")
    assert "Not on track: the gravest cases" not in html
    assert not AuditEvent.objects.filter(action=AuditAction.CLIENT_LISTED).exists()


def _queries(user: User, name: str, *args: int, cold: bool = False) -> int:
    """The queries of a view after a first one (the session warm, and what is kept built: unless `cold`)."""
    http = logged_in(user)
    http.get(reverse(name, args=args))  # warm the session
    if cold:
        cache.forget_kept()
    with CaptureQueriesContext(connection) as queries:
        assert http.get(reverse(name, args=args)).status_code == 200
    return len(queries)


def _grow_to(personas, cases: int) -> None:
    """Flagged and clear cases spread over both therapists and the facilitator, with meetings."""
    people = (personas.therapist_a, personas.therapist_a2, personas.facilitator_a)
    existing = ContextFlags.objects.filter(organisation=personas.org_a).count()
    codes = list(FlagCode)
    for number in range(existing, cases):
        person = people[number % len(people)]
        fired = (codes[number % len(codes)],) if number % 2 else ()
        flagged_course(person, *fired, changed=TODAY - dt.timedelta(days=number % 20))
    meeting(personas, TODAY - dt.timedelta(days=10), *people)


# Every member page pays 4 (session, user, MFA device, memberships) and an audited one its event's statements (1 on
# PostgreSQL, 3 on SQLite: iptriad.audit.chain.append_statements; counted below as 3 and corrected); the dashboard
# reads its version (1) and, when that changed since it was last built (not here: the second view of the same data),
# 4 (people with their last meetings, counts per person, the rows changed since those meetings, each person's
# gravest cases); the home 3 of those, the gravest few cases across everyone (audited), its open alerts and one
# count of groups and actions.
@pytest.mark.parametrize(
    ("name", "who", "expected"),
    [
        ("supervision-dashboard", "supervisor_a", 8),
        ("supervision-dashboard", "therapist_a", 8),
        ("home", "supervisor_a", 10),
        ("supervision-dashboard-person", "supervisor_a", 11),
    ],
)
def test_the_pages_run_a_fixed_number_of_queries_whatever_the_caseload(personas, name, who, expected):
    user = getattr(personas, who)
    args = (_membership(personas.therapist_a),) if name.endswith("person") else ()
    counts = []
    for cases in (10, 100):
        _grow_to(personas, cases)
        counts.append(_queries(user, name, *args))
    audited = expected - 3 + append_statements()
    assert counts == [audited, audited]


def test_the_supervisors_home_built_anew_runs_a_fixed_number_of_queries_too(personas):
    counts = []
    for cases in (10, 100):
        _grow_to(personas, cases)
        counts.append((_queries(personas.supervisor_a, "home"), _queries(personas.supervisor_a, "home", cold=True)))
    # Built anew, the summary adds its reads to the kept one's view: the people, their counts, the gravest cases.
    assert counts == [(10 - 3 + append_statements(), 14 - 3 + append_statements())] * 2


def _refreshed_to_self_harm(row: ContextFlags) -> None:
    """As a refresh rewrites a row (its computed_at moves): the cached pages must show the new flag."""
    ContextFlags.objects.filter(pk=row.pk).update(
        flags=[{"code": FlagCode.SELF_HARM.value, "why": "why self_harm", "since": str(TODAY)}],
        worst=severity(FlagCode.SELF_HARM),
        computed_at=timezone.now(),
    )


def _home_text(user: User) -> str:
    response = logged_in(user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_supervisors_home_is_rebuilt_when_a_flag_changes_and_audited_on_every_view(personas):
    row = flagged_course(personas.therapist_a, FlagCode.OVERDUE_MEASURES, family_name="Homekeptson")
    assert "Homekeptson" in _home_text(personas.supervisor_a)
    assert rule(FlagCode.SELF_HARM).title not in _home_text(personas.supervisor_a)
    _refreshed_to_self_harm(row)
    assert rule(FlagCode.SELF_HARM).title in _home_text(personas.supervisor_a)
    events = AuditEvent.objects.filter(action=AuditAction.CLIENT_LISTED, detail__list="home")
    assert events.count() == 3  # each view names the client, the two served from the cache too
    assert all(event.detail["client_ids"] == [row.client_id] for event in events)


def _dashboard_text(user: User) -> str:
    _, html = _page(user)
    return str(html)


def test_the_dashboard_built_once_is_rebuilt_when_a_flag_changes(personas):
    row = flagged_course(personas.therapist_a, FlagCode.OVERDUE_MEASURES, family_name="Cachedson")
    assert rule(FlagCode.SELF_HARM).title not in _dashboard_text(personas.supervisor_a)
    # A refresh rewrites the row (its computed_at): the next view shows the new flag, not the cached page.
    _refreshed_to_self_harm(row)
    assert rule(FlagCode.SELF_HARM).title in _dashboard_text(personas.supervisor_a)


def test_the_dashboard_is_rebuilt_after_a_supervision_meeting_and_for_a_new_member(personas):
    flagged_course(personas.therapist_a, FlagCode.OVERDUE_MEASURES)
    assert "No supervision logged yet." in _dashboard_text(personas.supervisor_a)
    meeting(personas, TODAY - dt.timedelta(days=2), personas.therapist_a)
    assert f"Last supervision {day(TODAY - dt.timedelta(days=2))}" in _dashboard_text(personas.supervisor_a)
    newcomer = make_user("newcomer.a@alpha.example", "Nadia Newcomer", personas.org_a, Role.THERAPIST)
    assert newcomer.full_name in _dashboard_text(personas.supervisor_a)


def test_a_view_served_from_the_cache_is_audited_too(personas):
    shown = flagged_course(personas.therapist_a, FlagCode.SELF_HARM)
    _page(personas.supervisor_a)
    _page(personas.supervisor_a)
    events = AuditEvent.objects.filter(action=AuditAction.CLIENT_LISTED, detail__list="dashboard")
    assert events.count() == 2
    assert all(event.detail["client_ids"] == [shown.client_id] for event in events)


def test_one_person_s_own_dashboard_is_never_served_to_another(personas):
    flagged_course(personas.therapist_a, FlagCode.SELF_HARM, family_name="Mineonly")
    flagged_course(personas.therapist_a2, FlagCode.SELF_HARM, family_name="Theirsonly")
    mine = _dashboard_text(personas.therapist_a)
    theirs = _dashboard_text(personas.therapist_a2)
    assert "Mineonly" in mine
    assert "Theirsonly" not in mine
    assert "Theirsonly" in theirs
    assert "Mineonly" not in theirs


def test_a_kept_dashboard_expires_after_max_age_and_the_least_recently_used_goes_first(monkeypatch):

    now = [1000.0]
    kept = cache._Kept(clock=lambda: now[0])
    monkeypatch.setattr(cache, "KEPT", 2)
    built = [cache.Built(board=None, sections_html="", client_ids=(n,)) for n in range(3)]  # type: ignore[arg-type]
    kept.set("a", built[0])
    kept.set("b", built[1])
    assert kept.get("a") is built[0]  # "a" is now the most recently used
    kept.set("c", built[2])
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (built[0], None, built[2])
    now[0] += cache.MAX_AGE
    assert kept.get("a") is None
