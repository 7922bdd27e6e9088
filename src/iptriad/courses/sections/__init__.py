"""The course page is made of sections, one per part of the course, each owning its template.

A section module has `TITLE`, `TEMPLATE` and `context(actor, course, records) -> dict`: it builds its part from
the page's records (courses/selectors/course_page.py), read once for every section, and reads nothing of its own.
"""

from __future__ import annotations

from types import ModuleType

from iptriad.courses.sections import initial, measures, middle, sessions, termination

SECTIONS: tuple[ModuleType, ...] = (initial, middle, sessions, measures, termination)
