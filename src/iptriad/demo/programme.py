"""The demo's programme: both demo organisations reporting together, led by a person who is a member of neither,
so the lead's way in (their programmes, the figures across organisations, no record) can be tried."""

from __future__ import annotations

from iptriad.accounts.models import Organisation
from iptriad.outcomes.models import Programme
from iptriad.outcomes.programmes import programme_create, programme_lead_add, programme_organisation_add

DEMO_PROGRAMME = ("demo-programme", "Demo Programme (fictional)")
DEMO_LEAD = ("lead@demo.iptriad.example", "Lee Programme-Lead")


def demo_programme_load(organisations: list[Organisation], password: str) -> Programme:
    """Safe to run again: what exists is kept, what is missing is made (each step audited as the command's)."""
    slug, name = DEMO_PROGRAMME
    programme = Programme.objects.filter(slug=slug).first() or programme_create(slug=slug, name=name)
    for organisation in organisations:
        if not programme.organisations.filter(pk=organisation.pk).exists():
            programme_organisation_add(programme_slug=slug, organisation_slug=organisation.slug)
    email, full_name = DEMO_LEAD
    if not programme.leads.filter(email=email).exists():
        programme_lead_add(programme_slug=slug, email=email, full_name=full_name, password=password)
    return programme
