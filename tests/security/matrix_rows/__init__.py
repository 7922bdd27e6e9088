"""The permission matrix rows, one module per part of the product; `ROWS` is all of them together."""

from __future__ import annotations

from tests.security.matrix_rows import (
    accounts_security,
    api,
    audit,
    competency,
    course_initial,
    course_middle,
    course_sessions,
    course_termination,
    courses,
    datarights,
    fidelity,
    flags_dashboard,
    foundation,
    groups_members,
    groups_programme,
    groups_sessions,
    groups_setup,
    measures,
    members,
    outcomes,
    outcomes_programme,
    supervision,
)
from tests.security.matrix_rows.base import Row

_MODULES = (
    foundation,
    measures,
    courses,
    course_initial,
    course_middle,
    course_sessions,
    course_termination,
    api,
    accounts_security,
    audit,
    datarights,
    members,
    groups_sessions,
    groups_members,
    groups_programme,
    groups_setup,
    supervision,
    flags_dashboard,
    fidelity,
    competency,
    outcomes,
    outcomes_programme,
)

ROWS: dict[str, Row] = {}
for _module in _MODULES:
    _overlap = set(ROWS) & set(_module.ROWS)
    assert not _overlap, f"URL names in two matrix modules: {_overlap}"
    ROWS.update(_module.ROWS)
