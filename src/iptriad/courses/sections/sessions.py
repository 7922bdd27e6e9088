"""The course page section: Sessions."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course

TITLE = "Sessions"
TEMPLATE = "courses/sections/sessions.html"


def context(actor: Actor, course: Course) -> dict[str, Any]:
    return {}
