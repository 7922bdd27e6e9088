"""Sections the apps above courses add to the course page (not-on-track flags, the case's supervision log)."""

from __future__ import annotations

from iptriad.web.sections import PageSections

course_page_sections = PageSections("course")
