"""Client identifiers are unique in an organisation regardless of case (issue 16, item 8).

Before: "a-0001" could be created beside "A-0001", on the page and over the API.
"""

from __future__ import annotations

import importlib

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from iptriad.clients.models import Client
from tests.api.conftest import api_as
from tests.clients.test_pages import VALID_FORM
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

MESSAGE = "capitals and small letters count as the same"
NEW = {"given_name": "Noor", "family_name": "Placeholm", "date_of_birth": "1979-08-30"}


def test_the_api_refuses_an_identifier_that_differs_only_by_case(personas):
    api = api_as(personas.therapist_a, personas.org_a)
    response = api.post("/clients", {**NEW, "identifier": personas.client_a.identifier.lower()})
    assert response.status_code == 422
    assert MESSAGE in response.content.decode()
    assert api.post("/clients", {**NEW, "identifier": "a-0999"}).status_code == 201


def test_the_page_refuses_it_too(personas):
    form = {**VALID_FORM, "identifier": personas.client_a.identifier.lower()}
    response = logged_in(personas.therapist_a).post(reverse("client-create"), form)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert Client.objects.filter(organisation=personas.org_a).count() == 1


def test_another_organisation_may_use_the_same_identifier(personas):
    api = api_as(personas.therapist_b, personas.org_b)
    assert api.post("/clients", {**NEW, "identifier": personas.client_a.identifier.lower()}).status_code == 201


def test_the_database_refuses_it_whatever_the_service_checks(personas):
    clash = Client(organisation=personas.org_a, identifier=personas.client_a.identifier.lower(), **NEW)
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()


def test_the_migration_stops_with_the_clashes_named(personas):
    migration = importlib.import_module("iptriad.clients.migrations.0003_client_identifier_any_case")
    from django.apps import apps

    # The rows the check would find, as a database from before the constraint would hold them.
    fake = type("Apps", (), {"get_model": staticmethod(lambda app, model: _Clashing)})
    with pytest.raises(RuntimeError, match=r"A-0001, a-0001"):
        migration.refuse_identifiers_that_differ_only_by_case(fake, None)
    migration.refuse_identifiers_that_differ_only_by_case(apps, None)  # the real data: nothing to report


class _Clashing:
    """A Client manager whose rows hold "A-0001" and "a-0001" in organisation 1 (no database can, any more)."""

    class objects:  # noqa: N801 - stands in for the model's manager
        rows = [{"organisation_id": 1, "identifier": "A-0001"}, {"organisation_id": 1, "identifier": "a-0001"}]

        @classmethod
        def annotate(cls, **kwargs):
            return cls

        @classmethod
        def values(cls, *names):
            return cls

        @classmethod
        def order_by(cls, *names):
            return [{"organisation_id": 1, "folded": "a-0001", "n": 2}]

        @classmethod
        def filter(cls, **kwargs):
            return cls

        @classmethod
        def values_list(cls, *names, flat=False):
            return [row["identifier"] for row in cls.rows]
