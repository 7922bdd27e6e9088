"""The outcome report: one aggregate statement over the classified rows, overall and by one breakdown.

The counts are PostgreSQL's or SQLite's (``COUNT(*) FILTER``, done by Django as ``SUM(CASE ...)`` where needed):
no row reaches Python, so the report's cost grows with the number of breakdown values, not of clients. What each
count and rate means is `iptriad.core.metrics`; this module only selects the cohort and names the values.

The cohort of a period is the treatment contexts that ended in it (``ended_on`` between ``start`` and ``end``,
both included); either bound may be open. Callers pass the organisations the reader may see: one organisation for
its supervisors and administrators, a programme's organisations for its lead (`iptriad.outcomes.access`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from iptriad.accounts.models import Organisation
from iptriad.core.metrics import (
    COUNT_DEFINITIONS,
    DECISIONS,
    METRICS_VERSION,
    Classification,
    CohortCounts,
    is_suppressed,
    rates,
)
from iptriad.core.protocol import protocol
from iptriad.groups.models import PROBLEM_AREA_CHOICES, Group, ProgrammeSite
from iptriad.outcomes.models import ContextOutcome

NOT_RECORDED = "Not recorded"
# What an empty value means where it is not a gap in the record: a course has no facilitator, group or site, a group
# place no therapist.
MISSING_LABELS: dict[str, str] = {
    "therapist": "Group IPT (no therapist)",
    "facilitator": "Individual IPT (no facilitator)",
    "group": "Individual IPT (no group)",
    "site": "No site (individual IPT, or a group without one)",
}

# The breakdowns a report offers, in the order pages list them: the field of ContextOutcome and its label.
BREAKDOWNS: dict[str, str] = {
    "therapist": "Therapist",
    "facilitator": "Facilitator",
    "group": "Group",
    "problem_area": "Problem area",
    "adaptation": "Adaptation",
    "sex": "Sex",
    "age_band": "Age band",
    "language": "Language",
    "site": "Site",
}
# A programme's report (several organisations) may also be broken down by organisation; an organisation's may not
# (one row, its own). Labelled with the organisations' names.
ORGANISATION_BREAKDOWN = "organisation"
PROGRAMME_BREAKDOWNS: dict[str, str] = {ORGANISATION_BREAKDOWN: "Organisation", **BREAKDOWNS}
_FOREIGN_KEYS = {"therapist", "facilitator", "group", "site", ORGANISATION_BREAKDOWN}

UNKNOWN_BREAKDOWN = "unknown breakdown {by!r}: choose one of " + ", ".join(BREAKDOWNS)
UNKNOWN_PROGRAMME_BREAKDOWN = "unknown breakdown {by!r}: choose one of " + ", ".join(PROGRAMME_BREAKDOWNS)
PERIOD_REVERSED = "the period ends before it starts"

# Each count of CohortCounts as an aggregate over ContextOutcome.
# The classification's booleans that a cohort counts as they are (the PHQ-9 end indicators are counted per group).
_BOOLEAN_COUNTS = tuple(item.name for item in fields(Classification) if item.name in CohortCounts.count_names())


_PREFIX = "n_"  # the aggregates' names, so none shadows the field it counts


def _aggregates() -> dict[str, Any]:
    aggregates: dict[str, Any] = {"contexts": Count("pk")}
    for name in _BOOLEAN_COUNTS:
        aggregates[name] = Count("pk", filter=Q(**{name: True}))
    aggregates["missed_sessions"] = Sum("missed_sessions", default=0)
    for end in ("at_most_4", "under_10"):
        for among in ("reached", "completed"):
            aggregates[f"phq9_end_{end}_{among}"] = Count("pk", filter=Q(**{f"phq9_end_{end}": True, among: True}))
    return {_PREFIX + name: aggregate for name, aggregate in aggregates.items()}


@dataclass(frozen=True)
class BreakdownRow:
    value: str  # the stored value ("" for not recorded): a user's, group's or site's id as text
    label: str
    counts: CohortCounts


@dataclass(frozen=True)
class OutcomeReport:
    organisations: list[str]  # names
    start: date | None
    end: date | None
    by: str | None
    overall: CohortCounts
    rows: list[BreakdownRow] = field(default_factory=list)
    metrics_version: str = METRICS_VERSION
    generated_at: datetime = field(default_factory=timezone.now)

    def as_json(self, *, suppress: bool = True) -> dict[str, Any]:
        """The command's JSON contract (docs/outcomes-report.md): counts by name, rates, and which are suppressed."""
        body: dict[str, Any] = {
            "metrics_version": self.metrics_version,
            "generated_at": self.generated_at.isoformat(),
            "organisations": self.organisations,
            "period": {"from": _iso(self.start), "to": _iso(self.end)},
            "by": self.by,
            "suppressed_below": 5 if suppress else None,
            "overall": cohort_json(self.overall, suppress=suppress),
            "definitions": {"counts": COUNT_DEFINITIONS, "decisions": list(DECISIONS)},
        }
        if self.by is not None:
            body["breakdown"] = [
                {"value": row.value, "label": row.label, **cohort_json(row.counts, suppress=suppress)}
                for row in self.rows
            ]
        return body


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def cohort_json(counts: CohortCounts, *, suppress: bool = True) -> dict[str, Any]:
    """One cohort's counts (None where suppressed), rates and the names of what was suppressed."""
    raw = asdict(counts)
    hidden = sorted(name for name, value in raw.items() if suppress and is_suppressed(value))
    return {
        "counts": {name: (None if name in hidden else value) for name, value in raw.items()},
        "rates": {
            rate.key: {
                "value": None if rate.value is None else round(rate.value, 4),
                "formula": rate.formula,
                "source": rate.source,
            }
            for rate in rates(counts, suppress=suppress)
        },
        "suppressed": hidden,
    }


def cohort(organisation_ids: Iterable[int], *, start: date | None, end: date | None) -> QuerySet[ContextOutcome]:
    """The classified rows of the organisations' contexts that ended in the period."""
    if start is not None and end is not None and end < start:
        raise ValueError(PERIOD_REVERSED)
    rows = ContextOutcome.objects.filter(organisation_id__in=list(organisation_ids), ended_on__isnull=False)
    if start is not None:
        rows = rows.filter(ended_on__gte=start)
    if end is not None:
        rows = rows.filter(ended_on__lte=end)
    return rows


def _counts(values: dict[str, Any]) -> CohortCounts:
    return CohortCounts(**{name: int(values.get(_PREFIX + name) or 0) for name in CohortCounts.count_names()})


def outcome_report(
    organisations: Sequence[Organisation],
    *,
    start: date | None = None,
    end: date | None = None,
    by: str | None = None,
    programme: bool = False,
) -> OutcomeReport:
    """The report for the organisations and period: the overall counts, and one row per value of ``by``.

    ``programme``: a programme's report, which may also be broken down by organisation (PROGRAMME_BREAKDOWNS)."""
    if programme and by is not None and by not in PROGRAMME_BREAKDOWNS:
        raise ValueError(UNKNOWN_PROGRAMME_BREAKDOWN.format(by=by))
    if not programme and by is not None and by not in BREAKDOWNS:
        raise ValueError(UNKNOWN_BREAKDOWN.format(by=by))
    rows = cohort([organisation.pk for organisation in organisations], start=start, end=end)
    overall = _counts(rows.aggregate(**_aggregates()))
    breakdown: list[BreakdownRow] = []
    if by is not None:
        column = f"{by}_id" if by in _FOREIGN_KEYS else by
        grouped = list(rows.order_by().values(column).annotate(**_aggregates()))
        values = [row[column] for row in grouped]
        missing = MISSING_LABELS.get(by, NOT_RECORDED)
        if by == ORGANISATION_BREAKDOWN:  # the names are at hand: no query
            labels = {organisation.pk: organisation.name for organisation in organisations}
        else:
            labels = _labeller(by)(values)
        breakdown = sorted(
            (
                BreakdownRow(
                    value="" if row[column] is None else str(row[column]),
                    label=labels.get(row[column], missing),
                    counts=_counts(row),
                )
                for row in grouped
            ),
            key=lambda row: (row.label == missing, row.label.lower(), row.value),
        )
    return OutcomeReport(
        organisations=[organisation.name for organisation in organisations],
        start=start,
        end=end,
        by=by,
        overall=overall,
        rows=breakdown,
    )


# ---------------------------------------------------------------------------------------------------------------
# Labels of breakdown values: one query for the people, groups or sites named, none for the choices.
# ---------------------------------------------------------------------------------------------------------------


def _labeller(by: str) -> Callable[[list[Any]], dict[Any, str]]:
    return {
        "therapist": _user_labels,
        "facilitator": _user_labels,
        "group": lambda ids: dict(Group.objects.filter(pk__in=_present(ids)).values_list("pk", "name")),
        "site": lambda ids: dict(ProgrammeSite.objects.filter(pk__in=_present(ids)).values_list("pk", "name")),
        "problem_area": lambda values: _choices(values, dict(PROBLEM_AREA_CHOICES) | _course_problem_areas()),
        "adaptation": lambda values: _choices(values, _adaptations()),
        "sex": lambda values: _choices(values, _sexes()),
        "age_band": lambda values: {value: value for value in values if value},
        "language": lambda values: _choices(values, _languages()),
    }[by]


def _present(values: list[Any]) -> list[Any]:
    return [value for value in values if value not in (None, "")]


def _choices(values: list[Any], names: dict[str, str]) -> dict[Any, str]:
    return {value: names.get(value, value) for value in values if value}


def _user_labels(ids: list[Any]) -> dict[Any, str]:
    users = get_user_model().objects.filter(pk__in=_present(ids))
    return {user.pk: str(user) for user in users.only("pk", "full_name", "email")}


def _course_problem_areas() -> dict[str, str]:
    from iptriad.courses.models.middle import ProblemAreaChoiceField

    return dict(ProblemAreaChoiceField.choices)


def _adaptations() -> dict[str, str]:
    names = {adaptation.id: adaptation.name for adaptation in protocol().adaptations}
    return names | {"group": "Group IPT"}


def _sexes() -> dict[str, str]:
    from iptriad.clients.models import Sex

    return dict(Sex.choices)


def _languages() -> dict[str, str]:
    from django.conf import settings

    return dict(settings.LANGUAGES)
