"""The ASRM (IPSRT) and the EDE-Q (IPT-BN) through the clinician form and the self-report link with locally loaded
wording (the API: tests/api/test_measures_new_instruments.py); a new course of either adaptation schedules it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from iptriad.core.instruments import instrument
from iptriad.courses.services.course import course_open
from iptriad.measures.models import Administration, MeasureSchedule, RiskAlert
from iptriad.measures.services import self_report_link_create
from tests.conftest import logged_in, make_client

pytestmark = pytest.mark.django_db

ASRM, EDEQ = instrument("asrm"), instrument("edeq")
COUNTS = range(13, 19)


def wording(code: str) -> str:
    """A stand-in for the operator's licensed text: every item worded, every option labelled."""
    definition = instrument(code)
    blocks = [f'code = "{code}"', f'version = "{definition.version}"']
    for item in definition.items:
        blocks.append(f'[items.{item.number}]\ntext = "Local {code} item {item.number}"')
        if item.options:
            labels = ", ".join(f'"{code} {item.number} option {p}"' for p in range(len(item.options)))
            blocks.append(f"options = [{labels}]")
    return "\n".join(blocks) + "\n"


def edeq_form(rated: int, count: int | str) -> dict[str, str]:
    return {f"item_{n}": str(count) if n in COUNTS else str(rated) for n in range(1, 29)}


@pytest.mark.parametrize("code", ["asrm", "edeq"])
def test_without_wording_neither_can_be_sent_to_a_client(personas, code):
    with pytest.raises(ValidationError, match="licensed separately"):
        self_report_link_create(actor=personas.actor(personas.therapist_a), client=personas.client_a, code=code)


def test_a_therapist_records_the_asrm_from_the_printed_form(personas):
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=asrm"
    form_page = http.get(url).content.decode()
    assert "ASRM item 1 (wording on the printed form)" in form_page
    assert "Option 5 as printed (scores 4)" in form_page
    response = http.post(url, {"item_1": "1", "item_2": "1", "item_3": "1", "item_4": "1", "item_5": "2"})
    assert response.status_code == 302
    administration = Administration.objects.get()
    assert (administration.total, administration.band) == (Decimal(6), "probable (hypo)mania")
    assert not RiskAlert.objects.exists()  # no critical item
    assert "probable (hypo)mania" in http.get(response["Location"]).content.decode()


def test_a_therapist_records_the_edeq_with_its_counts(personas):
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=edeq"
    form_page = http.get(url).content.decode()
    assert 'type="number" name="item_13"' in form_page
    assert 'max="999"' in form_page
    form = {**edeq_form(rated=4, count=3), "item_14": ""}  # one count left empty: not answered
    response = http.post(url, form)
    assert response.status_code == 302
    administration = Administration.objects.get()
    assert (administration.total, administration.band) == (Decimal(4), "clinically significant range")
    assert administration.subscales == {
        "restraint": 4, "eating_concern": 4, "shape_concern": 4, "weight_concern": 4,
    }  # fmt: skip
    assert administration.missing_items == [14]
    answers = {answer.item_number: answer for answer in administration.answers.all()}
    assert (answers[13].position, answers[13].score, answers[14].position) == (3, None, None)
    page = http.get(response["Location"]).content.decode()
    assert "(a count, not scored)" in page


def test_a_count_out_of_range_is_refused_on_the_form(personas):
    http = logged_in(personas.therapist_a)
    url = reverse("measures-record", args=[personas.client_a.pk]) + "?instrument=edeq"
    response = http.post(url, edeq_form(rated=1, count=1000))
    assert response.status_code == 400
    assert not Administration.objects.exists()


@pytest.mark.parametrize(("code", "form", "total"), [
    ("asrm", {f"item_{n}": "2" for n in range(1, 6)}, 10),
    ("edeq", edeq_form(rated=2, count=0), 2),
])  # fmt: skip
def test_loaded_wording_lets_a_client_answer_it_on_a_link(personas, settings, tmp_path, code, form, total):
    (tmp_path / f"{code}.toml").write_text(wording(code))
    settings.INSTRUMENT_TEXT_DIR = str(tmp_path)
    _, token = self_report_link_create(actor=personas.actor(personas.therapist_a), client=personas.client_a, code=code)
    http = HttpClient()
    url = reverse("self-report", args=[token])
    page = http.get(url).content.decode()
    assert f"Local {code} item 3" in page
    assert f"{code} 1 option 4" in page
    assert http.post(url, form).status_code == 200
    administration = Administration.objects.get()
    assert (administration.instrument_code, administration.total, administration.mode) == (
        code, Decimal(total), "self_report",
    )  # fmt: skip


@pytest.mark.parametrize(("adaptation", "code"), [("ipsrt", "asrm"), ("ipt_bn", "edeq")])
def test_a_new_course_schedules_its_adaptations_measure(personas, adaptation, code):
    client = make_client(personas.org_a, f"N-{adaptation}", personas.therapist_a)
    course = course_open(
        actor=personas.actor(personas.supervisor_a),
        client=client,
        adaptation=adaptation,
        therapist=personas.therapist_a,
    )
    scheduled = MeasureSchedule.objects.filter(context=course.treatment_context)
    assert code in set(scheduled.values_list("instrument_code", flat=True))
