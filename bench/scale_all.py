"""The whole-data scale generator (issue 15, item 1): an organisation with clients, therapists, IPT courses in every
phase with their sessions, initial-phase records, PHQ-9 and GAD-7 trajectories, open risk alerts, group programmes,
flags and outcome rows, and the audit trail, in bulk.

    PYTHONPATH=src .venv/bin/python bench/scale_all.py --tier S --database sqlite        # under var/scale-s/
    PYTHONPATH=src .venv/bin/python bench/scale_all.py --tier M --database postgresql    # database iptriad_scale_m

Tiers: T (200 clients, for tests/bench/test_scale_all.py), S (10,000), M (100,000), L (1,000,000, PostgreSQL only).
A fresh database each run. Reproducible: each client's records are drawn from its own random generator seeded with
`--seed` and the client's number, and every date and time derives from one fixed day, so the same seed gives the
same data (`fingerprint`). Fictional names only; every row belongs to the benchmark organisation.

Rows go in with bulk_create in batches on both databases (no per-row save, no signals); the flags and outcome rows
are then computed by the product's own refreshes (`flags_refresh`, `outcomes_refresh`). Audit events are chained
and hashed as `iptriad audit verify` expects. Item answers are stored for each course's latest administration
only (the one the pages show item by item): every item of every administration would be most of the rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent

if TYPE_CHECKING:
    from django.db.models import Model

    from iptriad.accounts.models import Organisation

TIERS = {"T": 200, "S": 10_000, "M": 100_000, "L": 1_000_000}
TODAY = dt.date(2026, 11, 26)  # the scale data's day (bench/scale_data.py)
PASSWORD = "bench-password-not-secret"  # noqa: S105 (synthetic accounts on a local benchmark database)
BLOCK_L = 10_000  # tier L: clients drawn in Python, then copied in SQL (bench/scale_blocks.py)
CHUNK = 2_000  # clients drawn and written per round
BATCH = 2_000  # rows per INSERT
CLIENTS_PER_THERAPIST = 250
COURSE_SHARE = 0.80  # clients with an IPT course
GROUP_SHARE = 0.06  # clients with a group place (none of them in a course)
MEMBERS_PER_GROUP = 10
GROUPS_PER_FACILITATOR = 4
GROUPS_PER_SITE = 10
GROUP_SESSIONS = 8
OPEN_ALERT_SHARE = 0.015  # of open courses, with an open risk alert
GAD7_SHARE = 0.30  # of courses, with GAD-7 at the start and every fourth session
# Phase of the course now: (phase, weight, sessions held (low, high)).
PHASES = (
    ("initial", 15, (1, 3)),
    ("middle", 30, (4, 10)),
    ("termination", 10, (11, 14)),
    ("maintenance", 5, (13, 18)),
    ("closed", 40, (2, 16)),
)
ADAPTATIONS = ("standard", "standard", "standard", "standard", "ipt_a", "perinatal", "telephone", "ipt_est")
AREAS = ("grief", "role_dispute", "role_dispute", "role_transition", "role_transition", "interpersonal_deficits")
GIVEN = ("Amara", "Bram", "Chiara", "Dev", "Esme", "Finn", "Gita", "Hugo", "Ines", "Jonas", "Kemi", "Lior")
RELATIONSHIPS = ("partner", "parent", "child", "sibling", "friend", "co_worker", "other")


def log_progress(label: str, done: int, total: int, started: float) -> None:
    """One carriage-return line on stderr (no tqdm: it is not a dependency)."""
    width = 30
    filled = width * done // max(total, 1)
    elapsed = time.perf_counter() - started
    sys.stderr.write(f"\r{label:<10} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {elapsed:5.0f}s")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def no_progress(label: str, done: int, total: int, started: float) -> None:
    return None


Progress = Callable[[str, int, int, float], None]


@dataclass
class Rows:
    """The rows of one chunk of clients, by model, in the order they are written."""

    by_model: dict[type[Model], list[Model]] = field(default_factory=dict)

    def add(self, row: Model) -> Model:
        self.by_model.setdefault(type(row), []).append(row)
        return row


@dataclass(frozen=True)
class Event:
    """An audit event before its place in the chain is known."""

    at: dt.datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str


def at(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC) + dt.timedelta(minutes=minute)


@cache
def scored(code: str, answers: tuple[int, ...]) -> Any:
    from iptriad.core.instruments.scoring import score
    from iptriad.measures.definitions import definition

    return score(definition(code), list(answers))


def answers_for(total: int, items: int, last_item: int = 0) -> tuple[int, ...]:
    """A plausible answer pattern for a total: spread over the items, the last one (PHQ-9's item 9) given apart."""
    spread = max(0, min(total - last_item, 3 * (items - 1)))
    values = [spread // (items - 1) + (1 if place < spread % (items - 1) else 0) for place in range(items - 1)]
    return (*values, last_item)


def trajectory(rng: random.Random, count: int, high: int) -> list[int]:
    """Totals over `count` administrations: most improve, some stay flat, some get worse."""
    start = rng.randint(high * 10 // 27, high * 22 // 27)
    kind = rng.choices(("improve", "flat", "worse"), weights=(60, 25, 15))[0]
    end = {"improve": start * rng.uniform(0.2, 0.6), "flat": start, "worse": start * rng.uniform(1.1, 1.4)}[kind]
    totals = []
    for step in range(count):
        share = step / max(count - 1, 1)
        value = round(start + (end - start) * share + rng.uniform(-2, 2))
        totals.append(max(0, min(high, value)))
    return totals


@dataclass
class Cast:
    """The organisation's staff, by role."""

    therapists: list[int]
    facilitators: list[int]
    supervisor: int
    admin: int


def organisation_and_staff(slug: str, clients: int) -> tuple[Organisation, Cast]:
    from django.contrib.auth.hashers import make_password

    from iptriad.accounts.models import Membership, Organisation, Role, User

    organisation = Organisation.objects.create(slug=slug, name=f"Scale {slug}")
    # The benchmarks log in with the password alone: they time pages, not the authenticator step.
    Organisation.objects.filter(pk=organisation.pk).update(mfa_required=False)
    hashed = make_password(PASSWORD)  # once: a slow hash per account would take minutes at tier M
    therapists = max(2, clients // CLIENTS_PER_THERAPIST)
    facilitators = max(1, int(clients * GROUP_SHARE) // (MEMBERS_PER_GROUP * GROUPS_PER_FACILITATOR))
    people = [("therapist", number, Role.THERAPIST) for number in range(therapists)]
    people += [("facilitator", number, Role.FACILITATOR) for number in range(facilitators)]
    people += [("supervisor", 0, Role.SUPERVISOR), ("admin", 0, Role.ADMIN)]
    users = User.objects.bulk_create(
        User(
            email=f"{kind}{number if kind in ('therapist', 'facilitator') else ''}@{slug}.bench.example",
            full_name=f"Bench {kind.title()} {number}",
            password=hashed,
        )
        for kind, number, _ in people
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=organisation, role=role)
        for user, (_, _, role) in zip(users, people, strict=True)
    )
    ids = [user.pk for user in users]
    return organisation, Cast(
        therapists=ids[:therapists],
        facilitators=ids[therapists : therapists + facilitators],
        supervisor=ids[-2],
        admin=ids[-1],
    )


def build(
    slug: str,
    clients: int,
    seed: int,
    *,
    progress: Progress = no_progress,
    refresh: bool = True,
    block: int | None = None,
) -> dict[str, float]:
    """Build the organisation `slug` with `clients` clients and all their data; the seconds each stage took.

    With `block`, only the first `block` clients are drawn in Python and PostgreSQL copies them up to `clients`
    (bench/scale_blocks.py); the flags and outcome rows are then refreshed for the block and copied with it."""
    from django.db import connection

    if block is not None and (clients % block or block % 50):
        raise ValueError("a block must divide the clients and be a multiple of 50 (the group places' cycle)")
    if block is not None and connection.vendor != "postgresql":
        raise ValueError("blocks are copied by PostgreSQL only")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    organisation, cast = organisation_and_staff(slug, clients)
    drawn = block or clients
    events: list[Event] = []
    in_group: list[int] = []
    for start in range(0, drawn, CHUNK):
        numbers = range(start, min(start + CHUNK, drawn))
        in_group += _clients_chunk(organisation.pk, cast, seed, numbers, events)
        progress("clients", numbers.stop, drawn, started)
    timings["clients and courses"] = time.perf_counter() - started
    mark = time.perf_counter()
    _groups(organisation.pk, cast, seed, in_group, events, progress)
    timings["groups"] = time.perf_counter() - mark
    if block is not None:
        timings |= _copied(organisation.pk, block, clients // block - 1, cast, len(in_group), events, refresh, progress)
        timings["total"] = time.perf_counter() - started
        return timings
    mark = time.perf_counter()
    _audit(organisation.pk, events, progress)
    timings["audit"] = time.perf_counter() - mark
    timings["analyze"] = _analyze()
    if refresh:
        timings |= _refresh(organisation.pk, progress)
    timings["total"] = time.perf_counter() - started
    return timings


def _analyze() -> float:
    """Gather the planner's statistics (a bulk load leaves none); the seconds it took."""
    from django.db import connection

    mark = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        from iptriad.web.statistics import statistics_refresh

        statistics_refresh()  # what the worker's nightly job gathers
    return time.perf_counter() - mark


def _refresh(organisation_id: int, progress: Progress) -> dict[str, float]:
    """The flags and outcome rows of every treatment context, by the product's own refreshes."""
    from iptriad.flags.services import flags_refresh
    from iptriad.measures.models import TreatmentContext
    from iptriad.outcomes.services import outcomes_refresh

    timings = {}
    ids = list(TreatmentContext.objects.filter(organisation_id=organisation_id).values_list("pk", flat=True))
    for label, refresher in (("flags", flags_refresh), ("outcomes", outcomes_refresh)):
        mark = time.perf_counter()
        for place in range(0, len(ids), 10 * BATCH):
            refresher(ids[place : place + 10 * BATCH])
            progress(label, min(place + 10 * BATCH, len(ids)), len(ids), mark)
        timings[label] = time.perf_counter() - mark
    return timings


def _copied(
    org: int,
    drawn: int,
    copies: int,
    cast: Cast,
    group_places: int,
    events: list[Event],
    refresh: bool,
    progress: Progress,
) -> dict[str, float]:
    """The drawn block refreshed, then copied `copies` times by PostgreSQL, with one audit chain over all of it."""
    from bench.scale_blocks import Staff, chain_copied_events, copy_block, measure_block

    timings = {"analyze (block)": _analyze()}
    if refresh:
        timings |= {f"{label} (block)": seconds for label, seconds in _refresh(org, progress).items()}
    block = measure_block(org, clients=drawn, groups=group_places // MEMBERS_PER_GROUP)
    staff = Staff(therapists=cast.therapists, facilitators=cast.facilitators)
    mark = time.perf_counter()
    copy_block(org, copies, staff, block, progress)
    timings["copies"] = time.perf_counter() - mark
    mark = time.perf_counter()
    chain_copied_events(org, events, copies, staff, block, progress)
    timings["audit"] = time.perf_counter() - mark
    timings["analyze"] = _analyze()
    return timings


def _write(rows: Rows) -> None:
    from django.db import transaction

    with transaction.atomic():
        for model, objects in rows.by_model.items():
            model.objects.bulk_create(objects, batch_size=BATCH)  # type: ignore[attr-defined]


def _clients_chunk(org: int, cast: Cast, seed: int, numbers: range, events: list[Event]) -> list[int]:
    """Clients `numbers` with their courses; the ids of those left for group places."""
    from iptriad.clients.models import Client, ClientStatus
    from iptriad.measures.models import TreatmentContext

    rngs = [random.Random(f"{seed}:{number}") for number in numbers]  # noqa: S311 (synthetic data, not secrets)
    clients = []
    for number, rng in zip(numbers, rngs, strict=True):
        client = Client(
            organisation_id=org,
            identifier=f"C-{number:07d}",
            given_name=rng.choice(GIVEN),
            family_name=f"Benchton{rng.randint(0, 99_999):05d}",
            date_of_birth=TODAY - dt.timedelta(days=rng.randint(14 * 365, 80 * 365)),
            sex=rng.choice(("female", "female", "female", "male", "male", "not_recorded")),
            therapist_id=cast.therapists[number % len(cast.therapists)],
            consent_to_treatment=True,
            consent_to_treatment_on=TODAY - dt.timedelta(days=rng.randint(30, 730)),
            status=ClientStatus.ACTIVE,
            created_at=at(TODAY - dt.timedelta(days=800), number % 1000),
            updated_at=at(TODAY - dt.timedelta(days=800), number % 1000),
        )
        client.refresh_search_text()
        clients.append(client)
    Client.objects.bulk_create(clients, batch_size=BATCH)
    plans = []
    for number, client, rng in zip(numbers, clients, rngs, strict=True):
        # Group places by number, so that even the tiny tier fills a group.
        if number % 50 < GROUP_SHARE * 50:
            kind = "group"
        else:
            kind = "course" if rng.random() < COURSE_SHARE / (1 - GROUP_SHARE) else ""
        plans.append(kind)
        actor = client.therapist_id
        events.append(Event(client.created_at, actor, "client.created", "client", str(client.pk)))
        for view in range(rng.randint(1, 4)):
            day = TODAY - dt.timedelta(days=rng.randint(0, 400))
            events.append(Event(at(day, 30 + view), actor, "client.viewed", "client", str(client.pk)))
    with_course = [(client, rng) for client, rng, kind in zip(clients, rngs, plans, strict=True) if kind == "course"]
    contexts = TreatmentContext.objects.bulk_create(
        [TreatmentContext(organisation_id=org, client_id=client.pk, kind="course") for client, _ in with_course],
        batch_size=BATCH,
    )
    rows = Rows()
    courses = [
        _course(org, context.pk, client, rng) for context, (client, rng) in zip(contexts, with_course, strict=True)
    ]
    from iptriad.courses.models import Course

    Course.objects.bulk_create([course for course, _ in courses], batch_size=BATCH)
    second = Rows()
    for (course, draw), (client, rng) in zip(courses, with_course, strict=True):
        _course_records(org, rows, second, course, draw, client, rng, events)
    # Occasions first: bulk_create takes a saved related object's id (sessions, administrations, alerts point at them).
    _write(rows)
    _write(second)
    from iptriad.measures.models import Administration, AdministrationAnswer

    AdministrationAnswer.objects.bulk_create(
        _answers_rows(org, second.by_model.get(Administration, [])), batch_size=BATCH
    )
    return [client.pk for client, kind in zip(clients, plans, strict=True) if kind == "group"]


@dataclass
class CourseDraw:
    phase: str
    held: int
    completed: bool


def _course(org: int, context_id: int, client: Any, rng: random.Random) -> tuple[Any, CourseDraw]:
    from iptriad.core.protocol import protocol
    from iptriad.courses.models import Course

    phase, _, (low, high) = rng.choices(PHASES, weights=[weight for _, weight, _ in PHASES])[0]
    held = rng.randint(low, high)
    completed = phase != "closed" or rng.random() < 0.7
    if phase == "closed":
        opened = TODAY - dt.timedelta(days=rng.randint(7 * held + 14, 730))
        closed_on: dt.date | None = opened + dt.timedelta(days=7 * held + rng.randint(0, 6))
    else:
        opened = TODAY - dt.timedelta(days=7 * (held - 1) + rng.randint(1, 6))
        closed_on = None
    course = Course(
        organisation_id=org,
        client_id=client.pk,
        therapist_id=client.therapist_id,
        treatment_context_id=context_id,
        adaptation="ipt_m" if phase == "maintenance" and rng.random() < 0.3 else rng.choice(ADAPTATIONS),
        protocol_version=protocol().version,
        phase=phase,
        opened_on=opened,
        closed_on=closed_on,
        end_reason=("completed" if completed else "dropped_out") if phase == "closed" else "",
        next_session_at=at(TODAY + dt.timedelta(days=rng.randint(1, 7)), 0) if phase != "closed" else None,
        created_at=at(opened, 0),
        updated_at=at(closed_on or TODAY, 0),
    )
    return course, CourseDraw(phase=phase, held=held, completed=completed)


def _session_phase(draw: CourseDraw, number: int) -> str:
    if number <= 3 or draw.phase == "initial":
        return "initial"
    if draw.phase == "maintenance" and number > draw.held - 3:
        return "maintenance"
    if draw.phase in ("termination", "maintenance") or (draw.phase == "closed" and draw.completed):
        return "termination" if number > draw.held - 3 - (draw.phase == "maintenance") * 3 else "middle"
    return "middle"


def _course_records(
    org: int,
    rows: Rows,
    second: Rows,
    course: Any,
    draw: CourseDraw,
    client: Any,
    rng: random.Random,
    events: list[Event],
) -> None:
    """The course's sessions and measures (first round), initial-phase records and alerts (second round)."""
    from iptriad.courses.models import (
        Assessment,
        CourseSession,
        InventoryPerson,
        PhaseChange,
        ProblemAreaChoice,
        TimelineEvent,
        TreatmentContract,
        Triad,
    )
    from iptriad.measures.models import Occasion, RiskAlert

    therapist = course.therapist_id
    events.append(Event(course.created_at, therapist, "course.opened", "course", str(course.pk)))
    sessions = []
    for number in range(1, draw.held + 1):
        held_on = course.opened_on + dt.timedelta(days=7 * (number - 1))
        attendance = rng.choices(("attended", "cancelled", "no_show"), weights=(85, 8, 7))[0]
        occasion = Occasion(organisation_id=org, context_id=course.treatment_context_id)
        rows.add(occasion)
        session = CourseSession(
            organisation_id=org,
            course_id=course.pk,
            number=number,
            occasion=occasion,
            held_on=held_on,
            phase=_session_phase(draw, number),
            attendance=attendance,
            strategies=[],
            techniques=[],
            homework_review="done" if attendance == "attended" and number > 1 else "",
            risk_check="no_concern" if attendance == "attended" else "",
            note="Synthetic bench session note." if attendance == "attended" else "",
            recorded_by_id=therapist,
            created_at=at(held_on, 60),
            updated_at=at(held_on, 60),
        )
        sessions.append((session, occasion))
        second.add(session)
        events.append(Event(at(held_on, 60), therapist, "course.session_saved", "course", str(course.pk)))
    attended = [(session, occasion) for session, occasion in sessions if session.attendance == "attended"]
    _measures(org, second, course, client, attended, rng, events)
    first_day = course.opened_on
    if draw.held >= 2:
        second.add(
            Assessment(
                organisation_id=org,
                course_id=course.pk,
                diagnosis_code="F32.1",
                diagnosis_label="Depressive episode, moderate",
                suicide_risk_screen=rng.choice(("no_risk", "no_risk", "no_risk", "low", "moderate")),
                assessed_on=first_day,
                sick_role_given_on=first_day,
                psychoeducation_given_on=first_day,
                updated_at=at(first_day, 90),
            )
        )
        for place in range(rng.randint(3, 6)):
            second.add(
                InventoryPerson(
                    organisation_id=org,
                    course_id=course.pk,
                    name=f"{chr(65 + place)}.{chr(65 + rng.randint(0, 25))}.",
                    relationship=rng.choice(RELATIONSHIPS),
                    ring=rng.randint(1, 3),
                    angle=float(rng.randint(0, 359)),
                    knows_about_depression=rng.random() < 0.5,
                    focus_candidate=place == 0,
                    created_at=at(first_day + dt.timedelta(days=7), 90),
                )
            )
        for step in range(rng.randint(2, 3)):
            second.add(
                TimelineEvent(
                    organisation_id=org,
                    course_id=course.pk,
                    occurred_on=first_day - dt.timedelta(days=rng.randint(30, 700)),
                    kind=("symptom_onset", "life_event", "symptom_worsening")[step],
                    description="Synthetic bench timeline event.",
                )
            )
        second.add(Triad(organisation_id=org, course_id=course.pk, updated_at=at(first_day, 95)))
    past_initial = draw.held > 3 and draw.phase != "initial"
    if past_initial:
        chosen_on = first_day + dt.timedelta(days=14)
        areas = rng.sample(sorted(set(AREAS)), k=rng.choice((1, 1, 2)))
        for area in areas:
            second.add(
                ProblemAreaChoice(
                    organisation_id=org,
                    course_id=course.pk,
                    area=area,
                    dispute_stage="renegotiation" if area == "role_dispute" else "",
                    chosen_on=chosen_on,
                )
            )
        planned = rng.randint(12, 16)
        second.add(
            TreatmentContract(
                organisation_id=org,
                course_id=course.pk,
                sessions_planned=planned,
                starts_on=first_day,
                planned_end_on=first_day + dt.timedelta(days=7 * planned),
                agreed_on=chosen_on,
                updated_at=at(chosen_on, 90),
            )
        )
    # The phase history: opened, then each phase its sessions reached, then closed.
    previous = ""
    for session, _ in sessions:
        if session.phase != previous:
            second.add(
                PhaseChange(
                    organisation_id=org,
                    course_id=course.pk,
                    from_phase=previous,
                    to_phase=session.phase,
                    changed_at=at(session.held_on, 0),
                    changed_by_id=therapist,
                )
            )
            if previous:
                events.append(
                    Event(at(session.held_on, 0), therapist, "course.phase_changed", "course", str(course.pk))
                )
            previous = session.phase
    if course.closed_on is not None:
        second.add(
            PhaseChange(
                organisation_id=org,
                course_id=course.pk,
                from_phase=previous,
                to_phase="closed",
                changed_at=at(course.closed_on, 0),
                changed_by_id=therapist,
            )
        )
        events.append(Event(at(course.closed_on, 0), therapist, "course.closed", "course", str(course.pk)))
    elif attended and rng.random() < OPEN_ALERT_SHARE:
        session, occasion = attended[-1]
        session.risk_check = "concern"
        second.add(
            RiskAlert(
                organisation_id=org,
                client_id=client.pk,
                source="clinician_concern",
                context_id=course.treatment_context_id,
                occasion=occasion,
                summary="Synthetic bench concern.",
                opened_at=at(session.held_on, 61),
                opened_by_id=therapist,
            )
        )
        events.append(Event(at(session.held_on, 61), therapist, "alert.opened", "client", str(client.pk)))


def _measures(
    org: int,
    rows: Rows,
    course: Any,
    client: Any,
    attended: Sequence[tuple[Any, Any]],
    rng: random.Random,
    events: list[Event],
) -> None:
    """PHQ-9 at every attended session on a trajectory; GAD-7 on some courses; answers of the latest of each."""
    from iptriad.measures.models import Administration

    if not attended:
        return
    plans = [("phq9", 27, 9, list(range(len(attended))))]
    if rng.random() < GAD7_SHARE:
        plans.append(("gad7", 21, 7, [place for place in range(len(attended)) if place % 4 == 0]))
    for code, high, items, places in plans:
        totals = trajectory(rng, len(places), high)
        for order, (place, total) in enumerate(zip(places, totals, strict=True)):
            session, occasion = attended[place]
            last_item = 1 if code == "phq9" and total >= 15 and rng.random() < 0.03 else 0
            answers = answers_for(total, items, last_item)
            result = scored(code, answers)
            administration = Administration(
                organisation_id=org,
                client_id=client.pk,
                context_id=course.treatment_context_id,
                occasion=occasion,
                instrument_code=code,
                instrument_version=result.version,
                mode="in_session",
                recorded_by_id=course.therapist_id,
                completed_at=at(session.held_on, 10 + len(code)),
                total=Decimal(result.total) if result.total is not None else None,
                band=result.band or "",
                valid=result.valid,
                prorated=result.prorated,
                missing_items=list(result.missing),
                critical_items=list(result.critical),
                critical_not_answered=list(result.critical_not_answered),
                subscales=result.subscales,
                score_basis=result.basis,
                invalid_reasons=list(result.reasons),
            )
            rows.add(administration)
            administration._bench_answers = (answers, result.item_scores) if order == len(places) - 1 else None  # type: ignore[attr-defined]
            events.append(
                Event(administration.completed_at, course.therapist_id, "measure.recorded", "client", str(client.pk))
            )


def _answers_rows(org: int, administrations: Iterable[Any]) -> list[Any]:
    from iptriad.measures.models import AdministrationAnswer

    answers = []
    for administration in administrations:
        given = getattr(administration, "_bench_answers", None)
        if given is None:
            continue
        positions, scores = given
        for number, (position, item_score) in enumerate(zip(positions, scores, strict=False), start=1):
            answers.append(
                AdministrationAnswer(
                    organisation_id=org,
                    administration_id=administration.pk,
                    item_number=number,
                    position=position,
                    score=Decimal(str(item_score)) if item_score is not None else None,
                )
            )
    return answers


def _groups(org: int, cast: Cast, seed: int, clients: list[int], events: list[Event], progress: Progress) -> None:
    """Sites, groups of ten running or closed, their eight sessions, the members and each held session's roster."""
    from django.db import transaction

    from iptriad.groups.models import Group, GroupMember, GroupSession, ProgrammeSite, SessionAttendance
    from iptriad.measures.models import Occasion, TreatmentContext

    rng = random.Random(f"{seed}:groups")  # noqa: S311 (synthetic data, not secrets)
    count = len(clients) // MEMBERS_PER_GROUP
    if count == 0:
        return
    started = time.perf_counter()
    with transaction.atomic():
        sites = ProgrammeSite.objects.bulk_create(
            ProgrammeSite(organisation_id=org, name=f"Bench site {number}")
            for number in range(max(1, count // GROUPS_PER_SITE))
        )
        groups = []
        for number in range(count):
            running = number % 3 == 0
            starts_on = TODAY - dt.timedelta(days=rng.randint(10, 40) if running else rng.randint(70, 700))
            groups.append(
                Group(
                    organisation_id=org,
                    site=sites[number % len(sites)],
                    name=f"Bench group {number}",
                    facilitator_id=cast.facilitators[number % len(cast.facilitators)],
                    supervisor_id=cast.supervisor,
                    capacity=12,
                    format_code="who_8",
                    format_name="WHO Group IPT: 8 sessions",
                    sessions_planned=GROUP_SESSIONS,
                    initial_sessions=1,
                    termination_sessions=1,
                    screening_instrument="phq9",
                    check_instrument="phq9",
                    completed_at_least=6,
                    starts_on=starts_on,
                    status="running" if running else "closed",
                    closed_on=None if running else starts_on + dt.timedelta(days=7 * GROUP_SESSIONS),
                    created_at=at(starts_on - dt.timedelta(days=14), 0),
                )
            )
        Group.objects.bulk_create(groups, batch_size=BATCH)
        sessions: list[GroupSession] = []
        for group in groups:
            for number in range(1, GROUP_SESSIONS + 1):
                planned_on = group.starts_on + dt.timedelta(days=7 * (number - 1))
                held = planned_on <= TODAY
                sessions.append(
                    GroupSession(
                        organisation_id=org,
                        group=group,
                        number=number,
                        phase="initial" if number == 1 else "termination" if number == GROUP_SESSIONS else "middle",
                        planned_on=planned_on,
                        held_on=planned_on if held else None,
                        recorded_by_id=group.facilitator_id if held else None,
                        recorded_at=at(planned_on, 120) if held else None,
                    )
                )
                if held:
                    events.append(
                        Event(at(planned_on, 120), group.facilitator_id, "group.session_saved", "group", str(group.pk))
                    )
        GroupSession.objects.bulk_create(sessions, batch_size=BATCH)
        contexts = TreatmentContext.objects.bulk_create(
            [
                TreatmentContext(organisation_id=org, client_id=client, kind="group")
                for client in clients[: count * MEMBERS_PER_GROUP]
            ],
            batch_size=BATCH,
        )
        members = []
        for place, context in enumerate(contexts):
            group = groups[place // MEMBERS_PER_GROUP]
            status = (
                "joined" if group.status == "running" else rng.choices(("finished", "dropped"), weights=(85, 15))[0]
            )
            members.append(
                GroupMember(
                    organisation_id=org,
                    group=group,
                    client_id=context.client_id,
                    treatment_context=context,
                    status=status,
                    added_at=at(group.starts_on - dt.timedelta(days=10), place),
                    added_by_id=cast.supervisor,
                    pre_group_on=group.starts_on - dt.timedelta(days=5),
                    consent_on=group.starts_on - dt.timedelta(days=5),
                    problem_area=rng.choice(AREAS),
                    dropout_reason="other" if status == "dropped" else "",
                    left_on=group.starts_on + dt.timedelta(days=21) if status == "dropped" else None,
                )
            )
            events.append(Event(members[-1].added_at, cast.supervisor, "group.member_added", "group", str(group.pk)))
        GroupMember.objects.bulk_create(members, batch_size=BATCH)
        progress("groups", 1, 2, started)
        by_group: dict[int, list[GroupMember]] = {}
        for member in members:
            by_group.setdefault(member.group_id, []).append(member)
        roster: list[tuple[GroupSession, GroupMember, str]] = []
        for session in sessions:
            if session.held_on is None:
                continue
            for member in by_group[session.group_id]:
                if member.left_on is not None and session.held_on > member.left_on:
                    continue
                status = rng.choices(("present", "absent", "excused", "make_up"), weights=(80, 10, 7, 3))[0]
                roster.append((session, member, status))
        occasions = Occasion.objects.bulk_create(
            [Occasion(organisation_id=org, context_id=member.treatment_context_id) for _, member, _ in roster],
            batch_size=BATCH,
        )
        SessionAttendance.objects.bulk_create(
            [
                SessionAttendance(
                    organisation_id=org,
                    session=session,
                    member=member,
                    status=status,
                    occasion=occasion,
                    recorded_by_id=session.group.facilitator_id,
                    recorded_at=at(session.planned_on, 120),
                )
                for (session, member, status), occasion in zip(roster, occasions, strict=True)
            ],
            batch_size=BATCH,
        )
    progress("groups", 2, 2, started)


def _audit(org: int, events: list[Event], progress: Progress) -> None:
    """The events in time order, chained and hashed exactly as the product appends them, after any already there."""
    from django.db import transaction

    from iptriad.audit.chain import GENESIS_HASH, chain_hash, payload_of_event
    from iptriad.audit.models import AuditChainHead, AuditEvent

    events.sort(key=lambda event: (event.at, event.action, event.object_id))
    started = time.perf_counter()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(chain=org).first()
        sequence = head.last_sequence if head else 0
        previous = head.last_hash if head else GENESIS_HASH
        for start in range(0, len(events), 10 * BATCH):
            rows = []
            for event in events[start : start + 10 * BATCH]:
                sequence += 1
                row = AuditEvent(
                    organisation_id=org,
                    actor_id=event.actor_id,
                    action=event.action,
                    object_type=event.object_type,
                    object_id=event.object_id,
                    detail={},
                    created_at=event.at,
                    sequence=sequence,
                    previous_hash=previous,
                )
                row.event_hash = chain_hash(previous, payload_of_event(row))
                previous = row.event_hash
                rows.append(row)
            AuditEvent.objects.bulk_create(rows, batch_size=BATCH)
            progress("audit", start + len(rows), len(events), started)
        AuditChainHead.objects.update_or_create(
            chain=org, defaults={"organisation_id": org, "last_sequence": sequence, "last_hash": previous}
        )


def fingerprint(organisation: Organisation) -> str:
    """A digest of the organisation's data without its ids: two builds with the same seed give the same one."""
    from iptriad.audit.models import AuditEvent
    from iptriad.clients.models import Client
    from iptriad.courses.models import Course, CourseSession, InventoryPerson
    from iptriad.groups.models import GroupMember, SessionAttendance
    from iptriad.measures.models import Administration, RiskAlert

    digest = hashlib.sha256()
    queries: list[Iterable[Any]] = [
        Client.objects.filter(organisation=organisation)
        .order_by("identifier")
        .values_list("identifier", "given_name", "family_name", "date_of_birth", "sex"),
        Course.objects.filter(organisation=organisation)
        .order_by("client__identifier")
        .values_list("client__identifier", "phase", "adaptation", "opened_on", "closed_on", "end_reason"),
        CourseSession.objects.filter(organisation=organisation)
        .order_by("course__client__identifier", "number")
        .values_list("course__client__identifier", "number", "held_on", "phase", "attendance", "risk_check"),
        Administration.objects.filter(organisation=organisation)
        .order_by("client__identifier", "completed_at", "instrument_code")
        .values_list("client__identifier", "instrument_code", "completed_at", "total", "band"),
        InventoryPerson.objects.filter(organisation=organisation)
        .order_by("course__client__identifier", "created_at", "name", "ring")
        .values_list("course__client__identifier", "name", "relationship", "ring"),
        RiskAlert.objects.filter(organisation=organisation)
        .order_by("client__identifier")
        .values_list("client__identifier", "opened_at"),
        GroupMember.objects.filter(organisation=organisation)
        .order_by("client__identifier")
        .values_list("client__identifier", "group__name", "status"),
        SessionAttendance.objects.filter(organisation=organisation)
        .order_by("member__client__identifier", "session__number")
        .values_list("member__client__identifier", "session__number", "status"),
        AuditEvent.objects.filter(organisation=organisation)
        .order_by("sequence")
        .values_list("sequence", "action", "created_at"),
    ]
    for query in queries:
        for row in query:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def configure(tier: str, database: str, postgres: str) -> None:
    """A fresh database for the tier, before Django starts."""
    name = f"iptriad_scale_{tier.lower()}"
    os.environ.setdefault("IPTRIAD_DATA_DIR", str(ROOT / "var" / f"scale-{tier.lower()}"))
    os.environ["IPTRIAD_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iptriad.settings")
    if database == "postgresql":
        import psycopg

        with psycopg.connect(f"{postgres.rstrip('/')}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["IPTRIAD_DATABASE_URL"] = f"{postgres.rstrip('/')}/{name}"
    else:
        for suffix in ("", "-wal", "-shm"):
            (Path(os.environ["IPTRIAD_DATA_DIR"]) / f"iptriad.sqlite3{suffix}").unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=sorted(TIERS), default="S")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--no-refresh", action="store_true", help="leave the flags and outcome rows out")
    parser.add_argument(
        "--block",
        type=int,
        help="draw this many clients in Python and copy them in SQL up to the tier (PostgreSQL; tier L: 10,000)",
    )
    options = parser.parse_args()
    if options.tier == "L" and options.database != "postgresql":
        parser.error("tier L runs on PostgreSQL only")
    block = options.block or (BLOCK_L if options.tier == "L" else None)
    if block is not None and options.database != "postgresql":
        parser.error("--block copies in PostgreSQL only")
    sys.path.insert(0, str(ROOT))
    configure(options.tier, options.database, options.postgres)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    load = os.getloadavg()[0]
    timings = build(
        f"scale-{options.tier.lower()}",
        TIERS[options.tier],
        options.seed,
        progress=log_progress,
        refresh=not options.no_refresh,
        block=block,
    )
    print(
        f"tier {options.tier} ({TIERS[options.tier]:,} clients) on {connection.vendor}, seed {options.seed}, "
        f"{f'blocks of {block:,} copied, ' if block else ''}"
        f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    print(counts(f"scale-{options.tier.lower()}"))
    for stage, seconds in timings.items():
        print(f"  {stage}: {seconds:.0f}s")
    return 0


def counts(slug: str) -> dict[str, int]:
    """Rows of the organisation by table, for the report and the test."""
    from iptriad.accounts.models import Organisation
    from iptriad.audit.models import AuditEvent
    from iptriad.clients.models import Client
    from iptriad.courses.models import Course, CourseSession, InventoryPerson, TimelineEvent
    from iptriad.flags.models import ContextFlags
    from iptriad.groups.models import Group, GroupMember, SessionAttendance
    from iptriad.measures.models import Administration, AdministrationAnswer, RiskAlert
    from iptriad.outcomes.models import ContextOutcome

    organisation = Organisation.objects.get(slug=slug)
    models = (
        Client, Course, CourseSession, InventoryPerson, TimelineEvent, Administration, AdministrationAnswer,
        RiskAlert, Group, GroupMember, SessionAttendance, ContextFlags, ContextOutcome, AuditEvent,
    )  # fmt: skip
    return {model.__name__: model.objects.filter(organisation=organisation).count() for model in models}


if __name__ == "__main__":
    raise SystemExit(main())
