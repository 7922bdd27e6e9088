"""What the supervision dashboard reads, at scale: open IPT courses for a share of the scale organisation's clients,
facilitators running groups, the stored flags of every open case (about 15% flagged, as OQ-Analyst's signal flags
about 15% of clients at each assessment: programmes.md §2) and weeks of supervision meetings.

Synthetic and reproducible: the same seed gives the same rows. Bulk inserts, once per organisation (skipped when the
organisation already has flags rows). Flags here are drawn at random, not computed by iptriad.flags: the dashboard
only reads them, and a benchmark must not depend on the rules it does not time.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction

from iptriad.accounts.models import Membership, Organisation, Role, User
from iptriad.clients.models import Client
from iptriad.core.flags import RULES, RULES_VERSION, FlagCode, severity
from iptriad.core.protocol import Phase, protocol
from iptriad.courses.models import Course
from iptriad.flags.models import ContextFlags
from iptriad.groups.models import Group, GroupMember, GroupStatus, MemberStatus, ProgrammeSite
from iptriad.measures.models import TreatmentContext
from iptriad.supervision.models import SupervisionEntry, SupervisionFormat

BATCH = 5_000
TODAY = dt.date(2026, 11, 26)  # the scale data's day (bench/scale_data.py)
OPEN_COURSE_SHARE = 0.10  # of the organisation's clients, in an open course now
FLAGGED_SHARE = 0.15  # of open cases, with at least one flag (programmes.md §2 [V])
FACILITATORS = 10
GROUPS_PER_FACILITATOR = 2
MEMBERS_PER_GROUP = 10
MEETING_WEEKS = 8
# How often each rule is among a flagged case's flags: synthetic weights, not clinical rates.
FLAG_WEIGHTS = (1, 2, 5, 3, 4, 6, 1, 6)


def _facilitators(organisation: Organisation, password: str) -> list[User]:
    slug = organisation.slug
    people = []
    for number in range(FACILITATORS):
        email = f"facilitator{number}@{slug}.bench.example"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=password, full_name=f"Bench Facilitator {number}"
        )
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Role.FACILITATOR})
        people.append(user)
    return people


def _flags(rng: random.Random) -> list[dict[str, str]]:
    if rng.random() >= FLAGGED_SHARE:
        return []
    chosen = set(rng.choices(range(len(RULES)), weights=FLAG_WEIGHTS, k=rng.choice((1, 1, 2, 3))))
    flags = []
    for place in sorted(chosen):
        since = TODAY - dt.timedelta(days=rng.randint(0, 60))
        flags.append({"code": RULES[place].code.value, "why": "Synthetic bench flag.", "since": since.isoformat()})
    return flags


def _flags_row(
    rng: random.Random, context: TreatmentContext, clinician_id: int, kind: str, started: dt.date
) -> ContextFlags:
    flags = _flags(rng)
    changed = max((dt.date.fromisoformat(flag["since"]) for flag in flags), default=None)
    if changed is None and rng.random() < 0.2:  # some clear cases whose flags cleared lately
        changed = TODAY - dt.timedelta(days=rng.randint(0, 30))
    return ContextFlags(
        organisation_id=context.organisation_id,
        treatment_context_id=context.pk,
        client_id=context.client_id,
        kind=kind,
        clinician_id=clinician_id,
        active=True,
        flags=flags,
        flag_count=len(flags),
        worst=min((severity(FlagCode(flag["code"])) for flag in flags), default=None),
        rules_version=RULES_VERSION,
        last_review_on=TODAY - dt.timedelta(days=rng.randint(0, 40)) if rng.random() < 0.6 else None,
        changed_at=dt.datetime.combine(changed, dt.time(12), tzinfo=dt.UTC) if changed else None,
        recheck_on=started + dt.timedelta(days=14),
    )


def scale_flags(organisation: Organisation, password: str, seed: str = "flags") -> int:
    """Courses, groups, flags rows and supervision meetings for the scale organisation; the number of flags rows."""
    if ContextFlags.objects.filter(organisation=organisation).exists():
        return ContextFlags.objects.filter(organisation=organisation).count()
    rng = random.Random(f"{organisation.slug}:{seed}")  # noqa: S311 (synthetic data, not secrets)
    org = organisation.pk
    supervisor = User.objects.get(email=f"supervisor@{organisation.slug}.bench.example")
    therapists = list(
        User.objects.filter(memberships__organisation=organisation, memberships__role=Role.THERAPIST).order_by("pk")
    )
    facilitators = _facilitators(organisation, password)
    clients = list(Client.objects.filter(organisation=organisation).order_by("pk").values_list("pk", "therapist_id"))
    rng.shuffle(clients)
    in_course = clients[: int(len(clients) * OPEN_COURSE_SHARE)]
    in_groups = clients[len(in_course) : len(in_course) + FACILITATORS * GROUPS_PER_FACILITATOR * MEMBERS_PER_GROUP]
    version = protocol().version
    for start in range(0, len(in_course), BATCH):
        chunk = in_course[start : start + BATCH]
        with transaction.atomic():
            contexts = TreatmentContext.objects.bulk_create(
                TreatmentContext(organisation_id=org, client_id=client_id, kind="course") for client_id, _ in chunk
            )
            courses, rows = [], []
            for context, (client_id, therapist_id) in zip(contexts, chunk, strict=True):
                opened = TODAY - dt.timedelta(days=rng.randint(7, 120))
                courses.append(
                    Course(
                        organisation_id=org,
                        client_id=client_id,
                        therapist_id=therapist_id,
                        treatment_context_id=context.pk,
                        adaptation="standard",
                        protocol_version=version,
                        phase=Phase.MIDDLE,
                        opened_on=opened,
                    )
                )
                rows.append(_flags_row(rng, context, therapist_id, "course", opened))
            Course.objects.bulk_create(courses)
            ContextFlags.objects.bulk_create(rows)
    _groups(rng, organisation, supervisor, therapists, facilitators, in_groups)
    _meetings(rng, organisation, supervisor, therapists, facilitators)
    if connection.vendor == "postgresql":
        # A bulk load leaves no statistics and no visibility map: plan and index-only scans as in production.
        with connection.cursor() as cursor:
            for table in ("flags_contextflags", "courses_course", "measures_treatmentcontext", "groups_groupmember"):
                cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute("ANALYZE supervision_supervisionentry")
    return ContextFlags.objects.filter(organisation=organisation).count()


def _groups(
    rng: random.Random,
    organisation: Organisation,
    supervisor: User,
    therapists: list[User],
    facilitators: list[User],
    clients: list[tuple[int, int | None]],
) -> None:
    org = organisation.pk
    with transaction.atomic():
        site, _ = ProgrammeSite.objects.get_or_create(organisation_id=org, name="Bench site")
        queue = iter(clients)
        for number, facilitator in enumerate(facilitators):
            for round_ in range(GROUPS_PER_FACILITATOR):
                starts_on = TODAY - dt.timedelta(days=rng.randint(14, 50))
                group = Group.objects.create(
                    organisation_id=org,
                    site=site,
                    name=f"Bench group {number}-{round_}",
                    facilitator=facilitator,
                    supervisor=therapists[number % len(therapists)],
                    capacity=12,
                    format_code="who_8",
                    format_name="WHO Group IPT: 8 sessions",
                    sessions_planned=8,
                    initial_sessions=1,
                    termination_sessions=1,
                    screening_instrument="phq9",
                    check_instrument="phq9",
                    completed_at_least=6,
                    starts_on=starts_on,
                    status=GroupStatus.RUNNING,
                )
                chunk = [next(queue) for _ in range(MEMBERS_PER_GROUP)]
                contexts = TreatmentContext.objects.bulk_create(
                    TreatmentContext(organisation_id=org, client_id=client_id, kind="group") for client_id, _ in chunk
                )
                GroupMember.objects.bulk_create(
                    GroupMember(
                        organisation_id=org,
                        group=group,
                        client_id=context.client_id,
                        treatment_context=context,
                        status=MemberStatus.JOINED,
                        added_by=supervisor,
                        pre_group_on=starts_on - dt.timedelta(days=3),
                        consent_on=starts_on - dt.timedelta(days=3),
                    )
                    for context in contexts
                )
                ContextFlags.objects.bulk_create(
                    _flags_row(rng, context, facilitator.pk, "group", starts_on) for context in contexts
                )


def _meetings(
    rng: random.Random, organisation: Organisation, supervisor: User, therapists: list[User], facilitators: list[User]
) -> None:
    """A weekly group consultation (half the therapists in turn) and a fortnightly facilitators' meeting."""
    attended = SupervisionEntry.attendees.through
    with transaction.atomic():
        for week in range(MEETING_WEEKS):
            held_on = TODAY - dt.timedelta(days=7 * week + 2)
            entry = SupervisionEntry.objects.create(
                organisation=organisation,
                held_on=held_on,
                format=SupervisionFormat.GROUP,
                led_by=supervisor,
                recorded_by=supervisor,
            )
            who = therapists[week % 2 :: 2]
            attended.objects.bulk_create(attended(supervisionentry_id=entry.pk, user_id=user.pk) for user in who)
            if week % 2 == 0:
                entry = SupervisionEntry.objects.create(
                    organisation=organisation,
                    held_on=held_on - dt.timedelta(days=1),
                    format=SupervisionFormat.FACILITATORS,
                    led_by=supervisor,
                    recorded_by=supervisor,
                )
                attended.objects.bulk_create(
                    attended(supervisionentry_id=entry.pk, user_id=user.pk)
                    for user in facilitators
                    if rng.random() < 0.8
                )
