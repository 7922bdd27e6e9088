"""Issue 13's journey in a real browser at a phone's width: the supervisor's home names an off-track course with its
rule; the supervisor follows it to the course page (the flag, its rule and what the protocol suggests next), brings
the course to supervision and logs the meeting with a risk decision and an action for the therapist, then rates the
fidelity of a session the therapist rated too, and sees the two ratings side by side."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from iptriad.fidelity.models import FidelityRating, RaterRole
from iptriad.flags.models import ContextFlags
from iptriad.supervision.models import ReviewedCase, SupervisionAction
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn
from tests.e2e.test_phone_width import PHONE, assert_no_horizontal_scroll
from tests.fidelity.factories import self_rating
from tests.flags.builders import ATTENDED, course_with_history


def test_a_supervisor_goes_from_a_flag_to_the_record_logs_supervision_and_rates_a_session(
    page: Page, personas: Personas, log_in: LogIn
) -> None:
    today = timezone.localdate()
    # PHQ-9 21 at the start and 18 at week 5: early non-response (17 or more from week 4), stored as the writes commit.
    course = course_with_history(
        personas.client_a,
        personas.therapist_a,
        opened_on=today - dt.timedelta(weeks=6),
        phq9=[(0, 21), (5, 18)],
        sessions=[ATTENDED] * 5,
    )
    assert "early_non_response" in [flag["code"] for flag in ContextFlags.objects.get(client=course.client).flags]
    session = course.sessions.get(number=5)
    self_rating(session, personas.therapist_a)  # the therapist rated every item done
    therapist = personas.therapist_a.full_name

    page.set_viewport_size(PHONE)
    log_in(page, personas.supervisor_a.email, PASSWORD)
    gravest = page.get_by_role("region", name="Not on track: the gravest cases")
    expect(gravest).to_contain_text("Casey Alphason")
    expect(gravest).to_contain_text("Early non-response: PHQ-9 18 at week 5")
    assert_no_horizontal_scroll(page)

    gravest.get_by_role("link", name="Casey Alphason").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("IPT course: Casey Alphason")
    flags = page.get_by_role("region", name="Not on track")
    expect(flags).to_contain_text("Early non-response")
    flags.get_by_text("The rule and its source").first.click()
    expect(flags).to_contain_text("PMID 26077754")
    expect(flags).to_contain_text("Revisit the problem-area focus and the formulation")
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="Bring to supervision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a supervision meeting")
    page.get_by_role("checkbox", name=therapist).check()
    page.get_by_label(re.compile("^What was discussed")).fill("Still 18 at week 5: revisit the role-dispute focus.")
    page.get_by_label(re.compile("^Risk decision")).fill("No current risk; review the PHQ-9 item 9 each session.")
    page.get_by_role("textbox", name="Action 1 (optional)").fill("Revisit the formulation with the client next session")
    page.get_by_label("Action 1: who (optional)").select_option(label=therapist)
    page.get_by_label("Action 1: for (optional)").select_option(label="Casey Alphason (A-0001), IPT course, Tara Alpha")
    page.get_by_label("Action 1: due (optional)").fill((today + dt.timedelta(days=7)).isoformat())
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Log the meeting").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Supervision, ")
    reviewed = page.get_by_role("region", name="Casey Alphason (A-0001)")
    expect(reviewed).to_contain_text("Flags at review: Early non-response")
    expect(page.get_by_text("Revisit the formulation with the client next session")).to_be_visible()
    case = ReviewedCase.objects.get(treatment_context_id=course.treatment_context_id)
    action = SupervisionAction.objects.get(case=case)
    assert (action.owner_id, action.due_on, action.done_on) == (personas.therapist_a.pk, today + dt.timedelta(7), None)
    # The review clears the "no supervisory review" rule, and the course page shows the case's log.
    page.get_by_role("link", name=re.compile("Open the record")).click()
    expect(page.get_by_role("region", name="Supervision")).to_contain_text("No current risk")

    # The session the therapist rated, from the course page's fidelity section.
    page.get_by_role("link", name="Rate session 5").click()
    for group in page.locator("[role=radiogroup]").all():
        group.get_by_text("Done", exact=True).click()
    page.locator("[role=radiogroup]").first.get_by_text("Partly", exact=True).click()
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Save the rating").click()
    expect(page.get_by_text("(different)")).to_have_count(1)
    expect(page.get_by_text("items answered the same")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert set(FidelityRating.objects.filter(course_session=session).values_list("rater_role", flat=True)) == {
        RaterRole.SELF,
        RaterRole.SUPERVISOR,
    }
