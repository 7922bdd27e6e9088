"""What an outcome row says of each treatment context, gathered from the clinical records for many contexts at once.

`gather` reads eight queries whatever the number of contexts (like iptriad.flags.facts): the courses, their sessions'
attendance counted by the database, their first problem areas, the group members with their groups, the members'
attendance counted by the database, the PHQ-9 and GAD-7 administrations, the clients and the organisations'
settings. Classifying is `iptriad.core.metrics`; this module only turns rows into `OutcomeFacts`.

What counts, decided here and said in docs/outcomes-report.md:

- Attended: a course session marked attended; a group session present or made up (iptriad.core.groups.attendance).
  Missed: every other session recorded (a course's no-show and cancelled, a group's absent and excused), as the
  count's definition reads ("not attended, excused included", iptriad.core.metrics.COUNT_DEFINITIONS).
- A group place is a context whose current membership joined the group (joined, dropped or finished). A person who
  was only screened, or did not join, never had a place: no row (the groups' programme counts report screening).
- Scores: only the PHQ-9 and GAD-7 count (the definitions' measures); the PHQ-A of IPT-A, or a group's other check
  instrument, is not read. A total is rounded half up to a whole point (a prorated total may carry a fraction).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone

from iptriad.clients.models import Client
from iptriad.core.groups.attendance import ATTENDED
from iptriad.core.metrics import FINISHED_MIN_SESSIONS_DEFAULT, ContextFacts
from iptriad.courses.models import Course, CourseSession, ProblemAreaChoice
from iptriad.courses.models.sessions import Attendance as CourseAttendance
from iptriad.groups.models import GroupMember, MemberStatus, SessionAttendance
from iptriad.measures.models import Administration
from iptriad.outcomes.bands import age_band
from iptriad.outcomes.models import OutcomeSettings

KIND_COURSE = "course"
KIND_GROUP = "group"
GROUP_ADAPTATION = "group"  # what a report's adaptation breakdown calls group IPT
MEASURES = ("phq9", "gad7")  # the definitions' measures (iptriad.core.metrics)
# A place in a group: the current membership joined. Screening and not_joined are not places; transferred is never
# the current membership (it points at the next one).
PLACE_STATUSES = frozenset({MemberStatus.JOINED, MemberStatus.DROPPED, MemberStatus.FINISHED})


@dataclass(frozen=True)
class OutcomeFacts:
    """One treatment context as its outcome row stores it, before classification."""

    context_id: int
    organisation_id: int
    client_id: int
    kind: str
    therapist_id: int | None
    facilitator_id: int | None
    group_id: int | None
    site_id: int | None
    problem_area: str
    adaptation: str
    sex: str
    age_band: str
    language: str
    started_on: dt.date
    ended_on: dt.date | None
    attended_sessions: int
    missed_sessions: int
    facts: ContextFacts

    def row_values(self) -> dict[str, object]:
        """The ContextOutcome fields of the facts (the classification is added by the writer)."""
        return {
            "organisation_id": self.organisation_id,
            "client_id": self.client_id,
            "kind": self.kind,
            "therapist_id": self.therapist_id,
            "facilitator_id": self.facilitator_id,
            "group_id": self.group_id,
            "site_id": self.site_id,
            "problem_area": self.problem_area,
            "adaptation": self.adaptation,
            "sex": self.sex,
            "age_band": self.age_band,
            "language": self.language,
            "started_on": self.started_on,
            "ended_on": self.ended_on,
            "attended_sessions": self.attended_sessions,
            "missed_sessions": self.missed_sessions,
            "phq9_first": self.facts.phq9_first,
            "phq9_last": self.facts.phq9_last,
            "gad7_first": self.facts.gad7_first,
            "gad7_last": self.facts.gad7_last,
        }


@dataclass
class _Frame:
    """What a context's owner (a course, or a group place) says before the client and the measures are read."""

    organisation_id: int
    client_id: int
    kind: str
    therapist_id: int | None
    facilitator_id: int | None
    group_id: int | None
    site_id: int | None
    problem_area: str
    adaptation: str
    started_on: dt.date
    ended_on: dt.date | None
    attended: int
    missed: int
    completed_at_least: int | None  # None: the finished minimum (an individual course)


@dataclass(frozen=True)
class _Scores:
    first: int | None = None
    last: int | None = None
    paired: bool = False


def gather(context_ids: Collection[int]) -> dict[int, OutcomeFacts]:
    """The facts of each context (by id) that is a course or a group place; other ids are left out."""
    ids = list(context_ids)
    if not ids:
        return {}
    frames = {**_course_frames(ids), **_group_frames(ids)}
    if not frames:
        return {}
    scores = _scores(list(frames))
    clients = {
        pk: (sex, born, language)
        for pk, sex, born, language in Client.objects.filter(
            pk__in={frame.client_id for frame in frames.values()}
        ).values_list("pk", "sex", "date_of_birth", "preferred_language")
    }
    minimum = dict(
        OutcomeSettings.objects.filter(
            organisation_id__in={frame.organisation_id for frame in frames.values()}
        ).values_list("organisation_id", "finished_min_sessions")
    )
    gathered: dict[int, OutcomeFacts] = {}
    for context_id, frame in frames.items():
        sex, born, language = clients.get(frame.client_id, ("", None, ""))
        finished_min = minimum.get(frame.organisation_id, FINISHED_MIN_SESSIONS_DEFAULT)
        phq9 = scores.get((context_id, "phq9"), _Scores())
        gad7 = scores.get((context_id, "gad7"), _Scores())
        facts = ContextFacts(
            ended=frame.ended_on is not None,
            attended_sessions=frame.attended,
            finished_min_sessions=finished_min,
            # For an individual course, completed means finished (iptriad.core.metrics.DECISIONS).
            completed_at_least=frame.completed_at_least or finished_min,
            phq9_first=phq9.first,
            phq9_last=phq9.last,
            phq9_paired=phq9.paired,
            gad7_first=gad7.first,
            gad7_last=gad7.last,
            gad7_paired=gad7.paired,
        )
        gathered[context_id] = OutcomeFacts(
            context_id=context_id,
            organisation_id=frame.organisation_id,
            client_id=frame.client_id,
            kind=frame.kind,
            therapist_id=frame.therapist_id,
            facilitator_id=frame.facilitator_id,
            group_id=frame.group_id,
            site_id=frame.site_id,
            problem_area=frame.problem_area,
            adaptation=frame.adaptation,
            sex=sex or "",
            age_band=age_band(born, frame.started_on),
            language=language or "",
            started_on=frame.started_on,
            ended_on=frame.ended_on,
            attended_sessions=frame.attended,
            missed_sessions=frame.missed,
            facts=facts,
        )
    return gathered


def _course_frames(ids: list[int]) -> dict[int, _Frame]:
    """Three queries: the courses, their sessions counted by attendance, and their problem areas in order chosen."""
    courses = list(
        Course.objects.filter(treatment_context_id__in=ids).only(
            "organisation_id",
            "client_id",
            "therapist_id",
            "treatment_context_id",
            "adaptation",
            "opened_on",
            "closed_on",
        )
    )
    if not courses:
        return {}
    by_pk = [course.pk for course in courses]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for course_id, attendance, count in (
        CourseSession.objects.filter(course_id__in=by_pk)
        .order_by()
        .values("course_id", "attendance")
        .annotate(count=Count("pk"))
        .values_list("course_id", "attendance", "count")
    ):
        counts[course_id][attendance] = count
    first_area: dict[int, str] = {}
    for course_id, area in (
        ProblemAreaChoice.objects.filter(course_id__in=by_pk)
        .order_by("chosen_on", "pk")
        .values_list("course_id", "area")
    ):
        first_area.setdefault(course_id, area)
    frames: dict[int, _Frame] = {}
    for course in courses:
        held = counts[course.pk]
        attended = held.get(CourseAttendance.ATTENDED, 0)
        frames[course.treatment_context_id] = _Frame(
            organisation_id=course.organisation_id,
            client_id=course.client_id,
            kind=KIND_COURSE,
            therapist_id=course.therapist_id,
            facilitator_id=None,
            group_id=None,
            site_id=None,
            problem_area=first_area.get(course.pk, ""),
            adaptation=course.adaptation,
            started_on=course.opened_on,
            ended_on=course.closed_on,
            attended=attended,
            missed=sum(held.values()) - attended,
            completed_at_least=None,
        )
    return frames


def _group_frames(ids: list[int]) -> dict[int, _Frame]:
    """Two queries: the member rows of each place (with their groups) and their attendance counted by status."""
    members: dict[int, list[GroupMember]] = defaultdict(list)
    for member in (
        GroupMember.objects.filter(treatment_context_id__in=ids)
        .select_related("group")
        .only(
            "organisation_id",
            "client_id",
            "treatment_context_id",
            "status",
            "added_at",
            "decided_at",
            "left_on",
            "problem_area",
            "transferred_to",
            "group__facilitator_id",
            "group__site_id",
            "group__completed_at_least",
            "group__closed_on",
        )
        .order_by("added_at", "pk")
    ):
        members[member.treatment_context_id].append(member)
    places = {
        context_id: rows
        for context_id, rows in members.items()
        if _current(rows).status in PLACE_STATUSES
    }  # fmt: skip
    if not places:
        return {}
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for context_id, status, count in (
        SessionAttendance.objects.filter(member__treatment_context_id__in=list(places))
        .order_by()
        .values("member__treatment_context_id", "status")
        .annotate(count=Count("pk"))
        .values_list("member__treatment_context_id", "status", "count")
    ):
        counts[context_id][status] = count
    frames: dict[int, _Frame] = {}
    for context_id, rows in places.items():
        first, current = rows[0], _current(rows)
        joined_at = first.decided_at or first.added_at
        ended_on = None
        if current.status != MemberStatus.JOINED:
            ended_on = current.left_on or current.group.closed_on
        held = counts[context_id]
        attended = sum(count for status, count in held.items() if status in ATTENDED)
        frames[context_id] = _Frame(
            organisation_id=current.organisation_id,
            client_id=current.client_id,
            kind=KIND_GROUP,
            therapist_id=None,
            facilitator_id=current.group.facilitator_id,
            group_id=current.group_id,
            site_id=current.group.site_id,
            problem_area=current.problem_area,
            adaptation=GROUP_ADAPTATION,
            started_on=timezone.localdate(joined_at),
            ended_on=ended_on,
            attended=attended,
            missed=sum(held.values()) - attended,
            completed_at_least=current.group.completed_at_least,
        )
    return frames


def _current(rows: list[GroupMember]) -> GroupMember:
    """The membership a place is in now: the one not transferred onwards (the last added, should data disagree)."""
    return next((row for row in rows if row.transferred_to_id is None), rows[-1])


def _scores(context_ids: list[int]) -> dict[tuple[int, str], _Scores]:
    """Each context's first and last valid total of each measure, in one query (time order, then record order)."""
    given: dict[tuple[int, str], list[tuple[int, dt.datetime]]] = defaultdict(list)
    for context_id, code, total, completed_at in (
        Administration.objects.filter(
            context_id__in=context_ids, instrument_code__in=MEASURES, valid=True, total__isnull=False
        )
        .order_by("completed_at", "pk")
        .values_list("context_id", "instrument_code", "total", "completed_at")
    ):
        given[(context_id, code)].append((_whole(total), completed_at))
    scores: dict[tuple[int, str], _Scores] = {}
    for key, totals in given.items():
        (first, first_at), (last, last_at) = totals[0], totals[-1]
        # Paired: the last is another administration, given later than the first (two at the same instant are one
        # occasion, not a change over treatment).
        scores[key] = _Scores(first=first, last=last, paired=len(totals) > 1 and last_at > first_at)
    return scores


def _whole(total: Decimal | None) -> int:
    return int(Decimal(total or 0).quantize(Decimal(1), rounding=ROUND_HALF_UP))  # never None: filtered
