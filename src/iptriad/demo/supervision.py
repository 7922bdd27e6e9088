"""A demo supervision history: five meetings over the last five weeks, led by the demo supervisor, reviewing demo
courses and a member of the group in its middle phase, with risk decisions and actions (some followed up, one
overdue), written through the supervision services so every record is as the pages would make it.

The texts are a supervisor's working notes in plain words; the suggestions echo what iptriad's flags suggest when a
course is off track (iptriad.core.flags), not clinical facts of their own.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation, User
from iptriad.core.protocol import Phase
from iptriad.courses.models import Course
from iptriad.groups.models import GroupMember, MemberStatus
from iptriad.supervision.models import SupervisionAction, SupervisionEntry, SupervisionFormat
from iptriad.supervision.services import ActionNote, CaseNote, EntryDetails, action_done, entry_create

SUPERVISOR = "supervisor@demo.iptriad.example"
THERAPIST = "therapist@demo.iptriad.example"
THERAPIST_2 = "therapist2@demo.iptriad.example"
FACILITATOR = "facilitator@demo.iptriad.example"
HELD_GROUP = "Market day group"  # iptriad.demo.groups: its member held after a self-harm answer is reviewed


def _actor(organisation: Organisation, email: str) -> Actor:
    membership = Membership.objects.select_related("user", "organisation").get(
        organisation=organisation, user__email=email
    )
    return Actor.for_membership(membership)


def demo_supervision_load(organisation: Organisation) -> int:
    """The demo's supervision meetings; nothing is made if the organisation has any. Returns the meetings made."""
    if SupervisionEntry.objects.filter(organisation=organisation).exists():
        return 0
    supervisor = _actor(organisation, SUPERVISOR)
    people = {user.email: user for user in User.objects.filter(memberships__organisation=organisation)}
    therapist, therapist_2, facilitator = people[THERAPIST], people[THERAPIST_2], people[FACILITATOR]
    courses = list(
        Course.objects.filter(organisation=organisation).exclude(phase=Phase.CLOSED).order_by("opened_on", "pk")[:4]
    )
    member = (
        GroupMember.objects.filter(group__organisation=organisation, group__name=HELD_GROUP, status=MemberStatus.JOINED)
        .order_by(F("held_since").desc(nulls_last=True), "pk")
        .first()
    )
    today = timezone.localdate()

    def day(weeks_ago: int) -> dt.date:
        return today - dt.timedelta(weeks=weeks_ago)

    def case(course: Course | None, discussion: str, risk: str) -> list[CaseNote]:
        return [CaseNote(course.treatment_context_id, discussion, risk)] if course is not None else []

    first, second = [*courses, None, None][:2]
    third = courses[2] if len(courses) > 2 else None
    made = []
    # Five weeks ago: one-to-one supervision of the first course.
    made.append(
        entry_create(
            actor=supervisor,
            details=EntryDetails(
                held_on=day(5),
                format=SupervisionFormat.INDIVIDUAL,
                attendee_ids=[therapist.pk],
                note="Monthly one-to-one supervision.",
                cases=case(
                    first,
                    "Early sessions: the inventory is done; the problem area is still to agree with the client.",
                    "No current risk reported; keep asking about self-harm at each session.",
                ),
                actions=[
                    ActionNote(
                        "0",
                        "Agree the problem-area focus with the client and write the formulation.",
                        therapist.pk,
                        day(3),
                        first.treatment_context_id if first else None,
                    ),
                ],
            ),
        )
    )
    # Three weeks ago: group consultation over two courses.
    made.append(
        entry_create(
            actor=supervisor,
            details=EntryDetails(
                held_on=day(3),
                format=SupervisionFormat.GROUP,
                attendee_ids=[therapist.pk, therapist_2.pk],
                note="Fortnightly group consultation.",
                cases=[
                    *case(
                        second,
                        "Scores have not moved since the start. Reviewed the formulation together.",
                        "Risk low; the client has their crisis contacts.",
                    ),
                    *case(third, "Two sessions missed in a row.", "Contact the client this week."),
                ],
                actions=[
                    ActionNote(
                        "0",
                        "Review the treatment contract with the client and consider a medication review.",
                        therapist.pk if second is None or second.therapist_id == therapist.pk else second.therapist_id,
                        today + dt.timedelta(days=3),
                        second.treatment_context_id if second else None,
                    ),
                    ActionNote(
                        "1",
                        "Call the client about the missed sessions.",
                        third.therapist_id if third else therapist_2.pk,
                        day(2),
                        third.treatment_context_id if third else None,
                    ),
                ],
            ),
        )
    )
    # Two weeks ago: the facilitators' meeting reviews the held group member.
    made.append(
        entry_create(
            actor=supervisor,
            details=EntryDetails(
                held_on=day(2),
                format=SupervisionFormat.FACILITATORS,
                attendee_ids=[facilitator.pk, therapist.pk],
                note="Facilitators' supervision meeting.",
                cases=[
                    CaseNote(
                        member.treatment_context_id,
                        "Held after a self-harm answer at the last session.",
                        "Stays held until the supervising clinician has seen them.",
                    )
                ]
                if member
                else [],
                actions=[
                    ActionNote(
                        "0",
                        "Supervising clinician to see the member before the next session.",
                        therapist.pk,
                        day(1),
                        member.treatment_context_id if member else None,
                    ),
                ],
            ),
        )
    )
    # Last week: one-to-one again, following the first course up; one action is due next week.
    made.append(
        entry_create(
            actor=supervisor,
            details=EntryDetails(
                held_on=day(1),
                format=SupervisionFormat.INDIVIDUAL,
                attendee_ids=[therapist.pk],
                cases=case(first, "Focus agreed; the formulation is shared with the client.", "No change."),
                actions=[
                    ActionNote(
                        "0",
                        "Bring the midpoint review scores to the next supervision.",
                        therapist.pk,
                        today + dt.timedelta(days=7),
                        first.treatment_context_id if first else None,
                    ),
                ],
            ),
        )
    )
    # This week: the facilitators' weekly meeting goes over the running groups (it reviews their members: flags).
    made.append(
        entry_create(
            actor=supervisor,
            details=EntryDetails(
                held_on=today - dt.timedelta(days=3),
                format=SupervisionFormat.FACILITATORS,
                attendee_ids=[facilitator.pk],
                note="Weekly facilitators' supervision: attendance, the symptom checks and what to do next.",
                cases=[],
                actions=[],
            ),
        )
    )
    # Followed up: the first meeting's action and the facilitators' meeting's; the others stay open (one overdue).
    therapist_actor = _actor(organisation, THERAPIST)
    for entry, done_on, follow_up in (
        (made[0], day(2), "Focus agreed in session 4; formulation written."),
        (made[2], day(1) + dt.timedelta(days=1), "Seen; the safety plan reviewed with them."),
    ):
        for action in SupervisionAction.objects.filter(entry=entry, owner=therapist):
            action_done(actor=therapist_actor, action=action, done_on=min(done_on, today), follow_up=follow_up)
    return len(made)
