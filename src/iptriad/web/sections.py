"""Sections that an app contributes to a page of an app below it, which cannot import it.

The client's record page (clients) shows the client's IPT courses, and the client's measures page (measures) shows
the progress in the current course: the courses app sits above both, so it registers those sections when it
starts, and each page renders whatever was registered. A section builds its own context, or returns None to stay
off the page (for a role that may not see it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SectionContext = Callable[[Any, Any], dict[str, Any] | None]  # (actor, the page's object) -> context or None


@dataclass(frozen=True)
class Section:
    name: str  # unique on its page, e.g. "courses"
    template: str  # rendered with the context as `section`
    context: SectionContext
    order: int = 100  # sections show in this order, then by name


class PageSections:
    """The sections registered for one page."""

    def __init__(self, page: str) -> None:
        self.page = page
        self._sections: dict[str, Section] = {}

    def register(self, section: Section) -> None:
        """Called from an app's ready(); registering a name again replaces it (apps can be set up twice in tests)."""
        self._sections[section.name] = section

    def contexts(self, actor: Any, obj: Any) -> list[dict[str, Any]]:
        """Each section that has something to show, as its context with `template` and `name` added."""
        shown = []
        for section in sorted(self._sections.values(), key=lambda section: (section.order, section.name)):
            context = section.context(actor, obj)
            if context is not None:
                shown.append({"name": section.name, "template": section.template, **context})
        return shown
