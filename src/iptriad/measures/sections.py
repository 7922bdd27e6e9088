"""Sections the treatment contexts add to the client's measures page (the current course's progress, for one)."""

from __future__ import annotations

from iptriad.web.sections import PageSections

client_measures_sections = PageSections("client measures")
