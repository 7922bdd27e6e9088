"""Demo competency records, made through the competency services as the supervisor would: training and a
certification for the demo therapist, the second therapist, the supervisor and the facilitator, with the second
therapist's refresher overdue so the team's overview has something to show first.

The cadences follow programmes.md §2 and ipt-protocol.md §8.2: the IPT Institute's 2-day course, 10+ biweekly
one-hour group consultations and its certification; the WHO group IPT facilitator training with weekly supervision.
Dates count back from today, so every load tells the same story.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation, User
from iptriad.competency.models import TrainingKind, TrainingRecord
from iptriad.competency.services import CertificationDetails, TrainingDetails, certification_save, training_save

SUPERVISOR = "supervisor@demo.iptriad.example"
THERAPIST = "therapist@demo.iptriad.example"
THERAPIST_2 = "therapist2@demo.iptriad.example"
FACILITATOR = "facilitator@demo.iptriad.example"
# The person whose refresher is overdue in the demo (the walkthrough of docs/users/competency.md names them).
OVERDUE = THERAPIST_2


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _training(kind: str, title: str, provider: str, days_ago: int, hours: str | None) -> TrainingDetails:
    return TrainingDetails(
        kind=kind,
        title=title,
        provider=provider,
        completed_on=_ago(days_ago),
        hours=Decimal(hours) if hours else None,
    )


# Per person: their training, and their certifications as (what, body, days ago, valid for days or None).
RECORDS: dict[str, tuple[list[TrainingDetails], list[tuple[str, str, int, int | None]]]] = {
    SUPERVISOR: (
        [
            _training(TrainingKind.COURSE, "IPT two-day course (Level A)", "IPT Institute", 6 * 365, "14"),
            _training(TrainingKind.CONSULTATION, "Biweekly group consultations", "IPT Institute", 6 * 365 - 150, "12"),
            _training(TrainingKind.REFRESHER, "IPT booster day", "IPT Institute", 400, "7"),
        ],
        [("IPT Institute certification", "IPT Institute", 5 * 365, None)],
    ),
    THERAPIST: (
        [
            _training(TrainingKind.COURSE, "IPT two-day course (Level A)", "IPT Institute", 500, "14"),
            _training(TrainingKind.CONSULTATION, "Biweekly group consultations", "IPT Institute", 300, "10"),
        ],
        [("IPT Institute certification", "IPT Institute", 250, 3 * 365)],
    ),
    THERAPIST_2: (
        [
            _training(TrainingKind.COURSE, "IPT three-day workshop", "National IPT roll-out", 4 * 365, "21"),
            _training(
                TrainingKind.CONSULTATION, "Weekly consultation, 6 months", "National IPT roll-out", 3 * 365, "26"
            ),
        ],
        [],
    ),
    FACILITATOR: (
        [
            _training(
                TrainingKind.COURSE, "WHO group IPT facilitator training", "District mental health team", 200, "40"
            ),
            _training(TrainingKind.CONSULTATION, "Weekly supervision of groups", "Sam Supervisor", 30, "16"),
        ],
        [("WHO group IPT facilitator training", "District mental health team", 200, None)],
    ),
}


def demo_competency_load(organisation: Organisation) -> int:
    """The demo's competency records; nothing is made if any exist already. Returns the number of training rows."""
    if TrainingRecord.objects.filter(organisation=organisation).exists():
        return 0
    membership = Membership.objects.select_related("user", "organisation").get(
        organisation=organisation, user__email=SUPERVISOR
    )
    supervisor = Actor.for_membership(membership)
    made = 0
    for email, (trainings, certifications) in RECORDS.items():
        person = User.objects.get(email=email)
        for details in trainings:
            training_save(actor=supervisor, person=person, details=details)
            made += 1
        for what, body, days_ago, valid_days in certifications:
            certified_on = _ago(days_ago)
            certification_save(
                actor=supervisor,
                person=person,
                details=CertificationDetails(
                    what=what,
                    body=body,
                    certified_on=certified_on,
                    valid_until=certified_on + dt.timedelta(days=valid_days) if valid_days else None,
                    evidence="Certificate on file with the programme office.",
                ),
            )
    return made
