"""An operator's locally loaded wording makes the EPDS usable on a self-report link."""

from decimal import Decimal

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from iptriad.core.instruments import instrument
from iptriad.measures.models import Administration
from iptriad.measures.services import self_report_link_create

pytestmark = pytest.mark.django_db

EPDS = instrument("epds")


def epds_wording(version: str = EPDS.version) -> str:
    items = "\n".join(
        f'[items.{n}]\ntext = "Local item {n}"\noptions = ["A{n}", "B{n}", "C{n}", "D{n}"]' for n in range(1, 11)
    )
    return f'code = "epds"\nversion = "{version}"\n{items}\n'


def test_without_wording_the_epds_cannot_be_sent(personas):
    with pytest.raises(ValidationError, match="licensed separately"):
        self_report_link_create(actor=personas.actor(personas.therapist_a), client=personas.client_a, code="epds")


def test_loaded_wording_lets_a_client_answer_the_epds(personas, settings, tmp_path):
    (tmp_path / "epds.toml").write_text(epds_wording())
    settings.INSTRUMENT_TEXT_DIR = str(tmp_path)
    _, token = self_report_link_create(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="epds"
    )
    page = HttpClient().get(reverse("self-report", args=[token])).content.decode()
    assert "Local item 3" in page
    assert "D10" in page


def test_the_system_check_refuses_wording_for_another_version(settings, tmp_path):
    (tmp_path / "epds.toml").write_text(epds_wording(version="0.1"))
    settings.INSTRUMENT_TEXT_DIR = str(tmp_path)
    errors = [message for message in run_checks() if message.id == "iptriad.E002"]
    assert errors
    assert "checked against version 0.1" in errors[0].msg


def test_the_system_check_refuses_a_missing_folder(settings, tmp_path):
    settings.INSTRUMENT_TEXT_DIR = str(tmp_path / "nowhere")
    assert [m.id for m in run_checks() if (m.id or "").startswith("iptriad.")] == ["iptriad.E001"]


def test_a_client_can_answer_the_wsas_retired_choice_on_a_link(personas, settings, tmp_path):
    options = ", ".join(f'"{n} as printed"' for n in range(9))
    items = "\n".join(f'[items.{n}]\ntext = "Local WSAS item {n}"\noptions = [{options}]' for n in range(1, 6))
    (tmp_path / "wsas.toml").write_text(f'code = "wsas"\nversion = "{instrument("wsas").version}"\n{items}\n')
    settings.INSTRUMENT_TEXT_DIR = str(tmp_path)
    _, token = self_report_link_create(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="wsas"
    )
    url = reverse("self-report", args=[token])
    page = HttpClient().get(url).content.decode()
    assert "Retired, or not working for reasons unrelated to the problem" in page
    HttpClient().post(url, {"item_1": "9", "item_2": "1", "item_3": "1", "item_4": "1", "item_5": "1"})
    administration = Administration.objects.get()
    assert (administration.total, administration.valid, administration.missing_items) == (Decimal(4), True, [])
    assert administration.score_basis.startswith("items 2-5 only, out of 32")
