"""Demo group IPT: two programme sites and five groups in different phases for the demo facilitator, built through the
group services so the demo's records are real (alerts, holds, referrals and outreach arise as they would).

- "Hillside mothers' group": forming; members awaiting their pre-group meeting, one who did not join (referred).
- "Riverside women's group": the walkthrough's group; WHO 8 sessions, 12 members who all joined, sessions 1-2
  recorded, session 3 due today.
- "Market day group": the middle phase, five sessions recorded, with make-ups, two misses in a row (an outreach task),
  a dropout, and a member held for clinical review after a positive self-harm answer at the last session.
- "Hillside evening group": StrongMinds' 12 sessions, in its ending phase, with end ratings and warning-signs plans.
- "Riverside spring group": closed, with end ratings, so the programme counts show outcomes.

Symptom checks follow seeded trajectories (scores falling on average), so every load is the same.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation, User
from iptriad.clients.models import Client, Sex
from iptriad.clients.services import ClientDetails, client_create
from iptriad.groups.models import Group, GroupMember, ProgrammeSite
from iptriad.groups.services.members import (
    PreGroupDetails,
    member_add,
    member_decide,
    member_drop,
    member_plan_save,
    pre_group_record,
)
from iptriad.groups.services.sessions import RosterEntry, session_record
from iptriad.groups.services.setup import GroupDetails, group_close, group_create, site_save

FACILITATOR = "facilitator@demo.iptriad.example"
THERAPIST = "therapist@demo.iptriad.example"
SUPERVISOR = "supervisor@demo.iptriad.example"
ADMIN = "admin@demo.iptriad.example"
WALKTHROUGH_GROUP = "Riverside women's group"

SITES = (("Riverside community hall", "North district"), ("Hillside health post", "South district"))

# Plain, distinct first names; the surnames are the demo's made-up ones, so no reader takes them for real people.
GIVEN = (
    "Amina", "Beatrice", "Clara", "Dorothy", "Esther", "Florence", "Grace", "Harriet", "Irene", "Joyce", "Kate",
    "Lydia", "Mary", "Nora", "Olive", "Patience", "Rose", "Sarah", "Teresa", "Ursula", "Violet", "Winnie", "Yvonne",
    "Zawadi", "Agnes", "Brenda", "Cecilia", "Diana", "Edith", "Faith", "Gloria", "Hope", "Ivy", "Janet", "Lucy",
    "Margaret", "Naomi", "Phoebe", "Ruth", "Stella", "Tabitha", "Vera", "Wendy", "Alice", "Betty", "Carol", "Doris",
    "Eunice", "Fatima", "Gertrude",
)  # fmt: skip
FAMILY = (
    "Sampleton", "Democroft", "Fictionby", "Exampleford", "Placeholm", "Mockingdale", "Testwick", "Pretendon",
    "Inventsby", "Notreal", "Madeupson", "Dummington",
)  # fmt: skip
GOALS = (
    "Stop arguing with my husband about money",
    "Go back to the women's savings group",
    "Talk to my sister again",
    "Sleep through the night and get up for work",
    "Find people to talk to since I moved here",
    "Visit my mother's grave without breaking down",
)
AREAS = ("role_dispute", "role_transition", "role_dispute", "grief", "interpersonal_deficits", "grief")
ITEMS = 9  # the PHQ-9: items 1-8 carry the demo's scores; item 9 (self-harm) is 0 but for the one held member


@dataclass(frozen=True)
class Cast:
    admin: Actor
    facilitator: Actor
    facilitator_user: User
    therapist: User
    supervisor: User


def _actor(organisation: Organisation, email: str) -> Actor:
    membership = Membership.objects.select_related("user", "organisation").get(
        organisation=organisation, user__email=email
    )
    return Actor.for_membership(membership)


def _answers(total: int, rng: random.Random, self_harm: int = 0) -> list[int | None]:
    """PHQ-9 answers adding up to `total` (items 1-8, 0-3 each), item 9 as given."""
    items = [0] * (ITEMS - 1)
    for _ in range(max(0, min(total - self_harm, 3 * (ITEMS - 1)))):
        items[rng.choice([i for i, value in enumerate(items) if value < 3])] += 1
    return [*items, self_harm]


class Trajectory:
    """A member's scores: a screening score, then a fall of about a point a session (flat for some), with noise."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.baseline = rng.randint(11, 19)
        self.fall = rng.choice((0.2, 0.7, 0.9, 1.0, 1.2, 1.4))

    def at(self, session: int) -> int:
        return max(0, round(self.baseline - self.fall * session + self.rng.uniform(-1.5, 1.5)))


class Builder:
    def __init__(self, organisation: Organisation, cast: Cast) -> None:
        self.organisation = organisation
        self.cast = cast
        self.rng = random.Random("iptriad-demo-groups")  # noqa: S311 (demo data: seeded, nothing secret)
        self.today = timezone.localdate()
        self.people = 0
        self.paths: dict[int, Trajectory] = {}

    def client(self) -> Client:
        number = self.people
        self.people += 1
        given, family = GIVEN[number % len(GIVEN)], FAMILY[number % len(FAMILY)]
        age = self.rng.randint(19, 60)
        consent_on = self.today - dt.timedelta(days=150)
        return client_create(
            actor=Actor.operator(self.organisation),
            details=ClientDetails(
                identifier=f"GRP-{number + 1:04d}",
                given_name=given,
                family_name=family,
                date_of_birth=self.today - dt.timedelta(days=age * 365 + self.rng.randint(30, 330)),
                sex=Sex.FEMALE,
                gender="",
                phone=f"+44 7700 900{200 + number:03d}",  # Ofcom's range reserved for drama: never a real line
                email=f"{given.lower()}.{family.lower()}.g{number + 1}@client.iptriad.example",
                preferred_language="en",
                consent_to_treatment=True,
                consent_to_treatment_on=consent_on,
                consent_to_data_use=True,
                consent_to_data_use_on=consent_on,
                therapist=None,
            ),
        )

    def group(self, name: str, site: ProgrammeSite, format_code: str, starts_on: dt.date, supervisor: User) -> Group:
        return group_create(
            actor=self.cast.admin,
            details=GroupDetails(
                name=name,
                format_code=format_code,
                facilitator=self.cast.facilitator_user,
                supervisor=supervisor,
                starts_on=starts_on,
                capacity=15,
                site=site,
                composition="women",
                place=f"{site.name}, side room",
            ),
        )

    def add(self, group: Group) -> GroupMember:
        return member_add(actor=self.cast.admin, group=group, client=self.client())

    def screen(self, member: GroupMember, held_on: dt.date) -> GroupMember:
        path = self.paths.setdefault(member.treatment_context_id, Trajectory(self.rng))
        index = self.people % len(GOALS)
        return pre_group_record(
            actor=self.cast.facilitator,
            member=member,
            details=PreGroupDetails(
                held_on=held_on,
                screening_answers=_answers(path.baseline, self.rng),
                problem_area=AREAS[index],
                goal=GOALS[index],
                note="Low for some months; talked about the people around her and what changed.",
                suicide_plan=False,
                recent_attempt=False,
            ),
        )

    def joined(self, group: Group, count: int) -> list[GroupMember]:
        held_on = min(group.starts_on - dt.timedelta(days=5), self.today - dt.timedelta(days=1))
        members = []
        for _ in range(count):
            member = self.screen(self.add(group), held_on)
            members.append(member_decide(actor=self.cast.facilitator, member=member, joins=True, consent_on=held_on))
        return members

    def session(
        self,
        group: Group,
        number: int,
        members: list[GroupMember],
        away: dict[int, str] | None = None,
        self_harm: GroupMember | None = None,
    ) -> None:
        """Session `number`: everyone present with a check, but for `away` (member id: absent, excused or make_up)."""
        away = away or {}
        day = group.starts_on + dt.timedelta(days=7 * (number - 1))
        entries = []
        for member in members:
            status = away.get(member.pk, "present")
            answers = None
            if status in ("present", "make_up"):
                score = self.paths[member.treatment_context_id].at(number)
                answers = _answers(score, self.rng, self_harm=1 if member is self_harm else 0)
            entries.append(
                RosterEntry(
                    member_id=member.pk,
                    status=status,
                    answers=answers,
                    made_up_on=day + dt.timedelta(days=2) if status == "make_up" else None,
                )
            )
        session_record(
            actor=self.cast.facilitator,
            session=group.sessions.get(number=number),
            held_on=day,
            entries=entries,
            note="Went through the week with each member; practised a difficult conversation." if number > 1 else "",
        )

    def plans(self, members: list[GroupMember]) -> None:
        for member in members:
            member_plan_save(
                actor=self.cast.facilitator,
                member=member,
                warning_signs="Staying in bed, not wanting to see anyone, snapping at the children.",
                plan="Call my sister or a group friend, go to the savings group, see the health worker if it lasts.",
            )


def _forming(builder: Builder, site: ProgrammeSite) -> None:
    today = builder.today
    starts_on = today + dt.timedelta(days=10)
    group = builder.group("Hillside mothers' group", site, "who_8", starts_on, builder.cast.therapist)
    builder.joined(group, 2)
    for _ in range(3):  # awaiting their pre-group meeting
        builder.add(group)
    declined = builder.screen(builder.add(group), today - dt.timedelta(days=2))
    member_decide(
        actor=builder.cast.facilitator,
        member=declined,
        joins=False,
        reason_code="needs_other_care",
        referred_to=f"{builder.cast.therapist.full_name}, Demo Clinic",
        detail="Recently widowed and not eating; needs to be seen by the clinic before a group.",
    )


def _walkthrough(builder: Builder, site: ProgrammeSite) -> None:
    today = builder.today
    group = builder.group(WALKTHROUGH_GROUP, site, "who_8", today - dt.timedelta(days=14), builder.cast.therapist)
    members = builder.joined(group, 12)
    builder.session(group, 1, members)
    builder.session(group, 2, members, away={members[4].pk: "excused"})


def _middle(builder: Builder, site: ProgrammeSite) -> None:
    group = builder.group(
        "Market day group", site, "who_8", builder.today - dt.timedelta(days=38), builder.cast.therapist
    )
    members = builder.joined(group, 10)
    made_up, missing, leaving, held = members[1], members[3], members[6], members[8]
    builder.session(group, 1, members)
    builder.session(group, 2, members, away={leaving.pk: "absent"})
    builder.session(group, 3, members, away={made_up.pk: "make_up", leaving.pk: "absent"})
    member_drop(
        actor=builder.cast.facilitator,
        member=leaving,
        reason_code="cannot_attend",
        note="Started market work on the group's day.",
        left_on=group.starts_on + dt.timedelta(days=15),
    )
    members.remove(leaving)
    builder.session(group, 4, members, away={missing.pk: "absent", members[0].pk: "make_up"})
    # Session 5: a second miss in a row (an outreach task), and a positive self-harm answer (an alert, a hold).
    builder.session(group, 5, members, away={missing.pk: "absent"}, self_harm=held)


def _ending(builder: Builder, site: ProgrammeSite) -> None:
    group = builder.group(
        "Hillside evening group", site, "strongminds_12", builder.today - dt.timedelta(days=66), builder.cast.supervisor
    )
    members = builder.joined(group, 8)
    leaving = members[5]
    for number in range(1, 11):
        away = {leaving.pk: "absent"} if number == 4 else {}
        if number == 7:
            away = {members[2].pk: "make_up", members[6].pk: "excused"}
        builder.session(group, number, members, away=away)
        if number == 4:
            member_drop(
                actor=builder.cast.facilitator,
                member=leaving,
                reason_code="family",
                left_on=group.starts_on + dt.timedelta(days=22),
            )
            members.remove(leaving)
    builder.plans(members[:4])


def _closed(builder: Builder, site: ProgrammeSite) -> None:
    group = builder.group(
        "Riverside spring group", site, "who_8", builder.today - dt.timedelta(days=120), builder.cast.supervisor
    )
    members = builder.joined(group, 8)
    leaving = members[7]
    for number in range(1, 9):
        away = {}
        if number in (2, 3):
            away = {leaving.pk: "absent", members[number].pk: "make_up"}
        builder.session(group, number, members, away=away)
        if number == 3:
            member_drop(
                actor=builder.cast.facilitator,
                member=leaving,
                reason_code="feels_better",
                left_on=group.starts_on + dt.timedelta(days=16),
            )
            members.remove(leaving)
    builder.plans(members)
    group_close(actor=builder.cast.admin, group=group, closed_on=group.starts_on + dt.timedelta(days=50))


def demo_groups_load(organisation: Organisation) -> int:
    """The demo's sites and groups; nothing is made if the walkthrough's group exists already. Returns the number
    of groups made."""
    if Group.objects.filter(organisation=organisation, name=WALKTHROUGH_GROUP).exists():
        return 0
    admin = _actor(organisation, ADMIN)
    facilitator = _actor(organisation, FACILITATOR)
    cast = Cast(
        admin=admin,
        facilitator=facilitator,
        facilitator_user=facilitator.member(),
        therapist=User.objects.get(email=THERAPIST),
        supervisor=User.objects.get(email=SUPERVISOR),
    )
    builder = Builder(organisation, cast)
    riverside, hillside = (site_save(actor=admin, name=name, region=region) for name, region in SITES)
    _forming(builder, hillside)
    _walkthrough(builder, riverside)
    _middle(builder, riverside)
    _ending(builder, hillside)
    _closed(builder, riverside)
    return Group.objects.filter(organisation=organisation).count()
