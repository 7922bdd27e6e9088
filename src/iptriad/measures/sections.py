"""Sections higher apps add to measures' pages: the treatment contexts to the client's measures page (the current
course's progress, for one), notifications to a risk alert's page (who was told, and when)."""

from __future__ import annotations

from iptriad.web.sections import PageSections

client_measures_sections = PageSections("client measures")

# Each gets the alert (read through the alert policy) as the page's object.
alert_sections = PageSections("risk alert")
