"""The course page section: Focus: problem areas, formulation and contract."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course

TITLE = "Focus: problem areas, formulation and contract"
TEMPLATE = "courses/sections/focus.html"


def context(actor: Actor, course: Course) -> dict[str, Any]:
    return {}
