"""Sections the apps above groups add to a group member's page (not-on-track flags, the case's supervision log)."""

from __future__ import annotations

from iptriad.web.sections import PageSections

member_page_sections = PageSections("group member")
