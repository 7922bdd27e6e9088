"""Sections the apps above clients add to the client's record page (IPT courses, measures and risk)."""

from __future__ import annotations

from iptriad.web.sections import PageSections

client_record_sections = PageSections("client record")
