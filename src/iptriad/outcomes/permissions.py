"""Who may read an organisation's outcome report, and take which files away.

| what                                           | admin | supervisor | therapist | facilitator |
|------------------------------------------------|-------|------------|-----------|-------------|
| the dashboard (aggregates, suppressed)         | yes   | yes        | no        | no          |
| the aggregates CSV and the PDF report          | yes   | yes        | no        | no          |
| the de-identified rows CSV (one per context)   | no    | yes        | no        | no          |

The report counts; it names no client and links to no record, so an administrator (who may be non-clinical staff
and sees no clinical record) may read it for the board. The rows file is per-course clinical data (scores and
outcomes), de-identified but not aggregated: only a clinician who already sees every course of the organisation,
its supervisor, may take it. A therapist or a facilitator sees their own clients' progress on their own pages, not
the organisation's results (a per-therapist breakdown compares colleagues): the pages answer them 403.
The report is always of the current organisation: there is no object in the URL to reach another's.
"""

from __future__ import annotations

from enum import StrEnum

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role


class OutcomeAction(StrEnum):
    VIEW = "view"  # the dashboard
    DOWNLOAD = "download"  # the aggregates CSV and the PDF report
    DOWNLOAD_ROWS = "download_rows"  # the de-identified rows CSV


ROLE_ACTIONS: dict[Role, frozenset[OutcomeAction]] = {
    Role.ADMIN: frozenset({OutcomeAction.VIEW, OutcomeAction.DOWNLOAD}),
    Role.SUPERVISOR: frozenset(OutcomeAction),
    Role.THERAPIST: frozenset(),
    Role.FACILITATOR: frozenset(),
}

ERROR_DENIED = "Your role may not see the organisation's outcome report."
ERROR_DENIED_ROWS = "Only a supervisor may download one row per course: it is clinical data, even de-identified."


class OutcomesPolicy:
    def allows(self, actor: Actor, action: OutcomeAction) -> bool:
        return action in ROLE_ACTIONS[actor.role]


outcomes_policy = OutcomesPolicy()
