"""The course page section: Ending and maintenance."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course

TITLE = "Ending and maintenance"
TEMPLATE = "courses/sections/ending.html"


def context(actor: Actor, course: Course) -> dict[str, Any]:
    return {}
