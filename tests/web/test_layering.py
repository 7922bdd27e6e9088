"""Tenancy below the views: pages never query models directly, so every read goes through a scoped selector."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

import iptriad
from tests.conftest import logged_in

SRC = Path(iptriad.__file__).parent
EDGE_MODULES = sorted(
    path
    for pattern in (
        "*/views.py",
        "*/views/*.py",
        "*/*_views.py",
        "*/forms.py",
        "*/forms/*.py",
        "*/api.py",
        "*/api/*.py",
        "*/urls.py",
    )
    for path in SRC.glob(pattern)
)


@pytest.mark.parametrize("path", EDGE_MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_views_and_forms_do_not_query_models_directly(path: Path):
    assert re.findall(r"\.objects\b", path.read_text()) == []


def test_every_tenant_owned_model_has_an_organisation():
    """A model of a tenant app either has `organisation` or hangs off one that does (listed here with why)."""
    owned_through_parent: dict[str, str] = {}
    # A person's own sign-in sessions and e-mail change belong to the person (the user), like the account itself;
    # a refusal window counts refused requests per source, signed in or not (decision 0033); a programme joins
    # organisations for its lead's aggregates, so it belongs to none of them (an operator makes it, decision 0042).
    global_models = {
        "outcomes.programme",
        "accounts.organisation",
        "accounts.user",
        "audit.auditevent",
        "accounts.signedinsession",
        "accounts.emailchange",
        "audit.refusalwindow",
    }
    for model in apps.get_models():
        label = model._meta.label_lower
        if not model.__module__.startswith("iptriad.") or label in global_models | set(owned_through_parent):
            continue
        assert any(f.name == "organisation" for f in model._meta.get_fields()), f"{label} has no organisation"


@pytest.mark.django_db
def test_member_pages_may_not_be_cached(personas):
    response = logged_in(personas.therapist_a).get(reverse("client-detail", args=[personas.client_a.pk]))
    assert "no-store" in response["Cache-Control"]
