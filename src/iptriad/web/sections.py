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
# An expression (an Exists over OuterRef("pk")) saying whether the section may have anything for the page's object:
# the page's own query annotates it, and a section with nothing to show then costs no query of its own.
SectionPresence = Callable[[], Any]


@dataclass(frozen=True)
class Section:
    name: str  # unique on its page, e.g. "courses"
    template: str  # rendered with the context as `section`
    context: SectionContext
    order: int = 100  # sections show in this order, then by name
    present: SectionPresence | None = None
    # The context when the flag says there is nothing (e.g. no course yet, with the button to open one); None: left out.
    absent: SectionContext | None = None


class PageSections:
    """The sections registered for one page."""

    def __init__(self, page: str) -> None:
        self.page = page
        self._sections: dict[str, Section] = {}

    def register(self, section: Section) -> None:
        """Called from an app's ready(); registering a name again replaces it (apps can be set up twice in tests)."""
        self._sections[section.name] = section

    def annotations(self) -> dict[str, Any]:
        """What the page's query of its object annotates: one flag per section that says how to find it present."""
        return {
            self._flag(section): section.present() for section in self._sections.values() if section.present is not None
        }

    @staticmethod
    def _flag(section: Section) -> str:
        return f"section_{section.name}_present"

    def contexts(self, actor: Any, obj: Any) -> list[dict[str, Any]]:
        """Each section that has something to show, as its context with `template` and `name` added. A section whose
        presence flag the page's query found false is left out without asking it (an object read without the flag
        asks every section)."""
        shown = []
        for section in sorted(self._sections.values(), key=lambda section: (section.order, section.name)):
            if section.present is not None and getattr(obj, self._flag(section), True) is False:
                context = section.absent(actor, obj) if section.absent is not None else None
            else:
                context = section.context(actor, obj)
            if context is not None:
                shown.append({"name": section.name, "template": section.template, **context})
        return shown
