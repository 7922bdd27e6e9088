"""The course page section: Initial phase."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course

TITLE = "Initial phase"
TEMPLATE = "courses/sections/initial.html"


def context(actor: Actor, course: Course) -> dict[str, Any]:
    return {}
