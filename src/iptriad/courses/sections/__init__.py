"""The course page is made of sections, one per part of the course, each owning its template and its reads.

A section module has `TITLE`, `TEMPLATE` and `context(actor, course) -> dict`, reading a fixed number of
queries whatever the size of the course.
"""

from __future__ import annotations

from types import ModuleType

from iptriad.courses.sections import ending, focus, initial, measures, sessions

SECTIONS: tuple[ModuleType, ...] = (initial, focus, sessions, measures, ending)
