"""The issue's acceptance test: a demo therapist takes a demo client from a new course to a closed course.

Everything after loading the demo data happens in the browser, through the pages a therapist uses: the course
opens in its initial phase, gets its records and its focus, moves to the middle and termination phases with a
session between them, and closes as completed with its review and relapse-prevention plan.
"""

from __future__ import annotations

import re
import zoneinfo

from django.utils import timezone
from playwright.sync_api import Page, expect

from iptriad.accounts.models import Organisation, User
from iptriad.clients.models import Client, ClientStatus
from iptriad.core.protocol.rules import (
    NO_CONTRACT,
    NO_DIAGNOSIS,
    NO_FORMULATION,
    NO_INVENTORY,
    NO_PROBLEM_AREA,
    NO_SUICIDE_RISK,
)
from iptriad.demo.data import DEMO_ORGANISATION, demo_load, demo_password
from tests.e2e.conftest import LogIn

THERAPIST_EMAIL = "therapist@demo.iptriad.example"


def _demo_client_without_a_course() -> Client:
    """An active adult client of the demo therapist who has no course yet (standard IPT is for adults)."""
    therapist = User.objects.get(email=THERAPIST_EMAIL)
    candidates = Client.objects.filter(
        organisation__slug=DEMO_ORGANISATION[1],
        therapist=therapist,
        status=ClientStatus.ACTIVE,
        courses__isnull=True,
    ).order_by("identifier")
    chosen = next((client for client in candidates if client.age_group == "adult"), None)
    assert chosen is not None, "the demo data has no adult client of the demo therapist without a course"
    return chosen


def test_a_demo_therapist_takes_a_client_from_a_new_course_to_a_closed_course(page: Page, log_in: LogIn) -> None:
    demo_load()
    client = _demo_client_without_a_course()
    organisation = Organisation.objects.get(slug=DEMO_ORGANISATION[1])
    # Every date is typed as the organisation's day, which the services check against. The open, session and
    # close forms prefill the server's day instead (dt.date.today), which can be a different day.
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(organisation.time_zone)).isoformat()
    status = page.get_by_role("status")
    main = page.get_by_role("main")
    phase_badge = page.locator(".page-heading .badge")  # beside the course's heading

    log_in(page, THERAPIST_EMAIL, demo_password())

    # Find the client and open a standard IPT course.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.get_by_role("searchbox", name="Search by name or identifier").fill(client.identifier)
    results = page.locator("#client-results")
    expect(results.locator(".count")).to_have_text(f"1 client matching “{client.identifier}”")
    results.get_by_role("link", name=f"{client.family_name}, {client.given_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(client.full_name)
    courses = page.get_by_role("region", name="IPT courses", exact=True)
    expect(courses).to_contain_text("No course yet.")
    courses.get_by_role("link", name="Open an IPT course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Open an IPT course for {client.full_name}")
    page.get_by_label("Adaptation of IPT").select_option(value="standard")
    expect(page.get_by_label("Therapist")).to_have_value(str(client.therapist_id))
    page.get_by_label("Start date").fill(today)
    page.get_by_role("button", name="Open the course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"IPT course: {client.full_name}")
    expect(status).to_have_text("The course is open, in its initial phase.")
    expect(phase_badge).to_have_text("Initial phase")
    course_url = page.url

    # The refusal the therapist sees: no middle phase yet, and the list says what to fix first.
    next_phase = page.get_by_role("region", name="Next phase", exact=True)
    expect(next_phase.get_by_role("listitem")).to_have_text(
        [NO_DIAGNOSIS, NO_SUICIDE_RISK, NO_INVENTORY, NO_PROBLEM_AREA, NO_FORMULATION, NO_CONTRACT]
    )
    expect(next_phase.get_by_role("button", name="Start the middle phase")).to_have_count(0)

    # The assessment, with the diagnosis.
    page.get_by_role("link", name="Record the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Assessment: {client.full_name}")
    page.get_by_label("Presenting problems").fill("Low mood and poor sleep since the move; stopped seeing friends.")
    page.get_by_label("Diagnosis code").fill("F32.1")
    page.get_by_label("Diagnosis (optional)", exact=True).fill("Moderate depressive episode")
    page.get_by_label("Assessed on").fill(today)
    page.get_by_label("No current risk identified").check()
    page.get_by_label("Sick role given on").fill(today)
    page.get_by_label("Psychoeducation given on").fill(today)
    page.get_by_role("button", name="Save the assessment").click()
    expect(status).to_have_text("The assessment is saved.")
    assessment = page.get_by_role("region", name="Assessment", exact=True)
    expect(assessment.get_by_role("definition").first).to_have_text("F32.1 Moderate depressive episode")
    expect(next_phase.get_by_role("listitem")).to_have_text(
        [NO_INVENTORY, NO_PROBLEM_AREA, NO_FORMULATION, NO_CONTRACT]
    )

    # One person in the interpersonal inventory.
    page.get_by_role("link", name="Open the inventory to add or edit people").click()
    page.get_by_role("link", name="Add a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a person to the inventory")
    page.get_by_label("Name", exact=True).fill("Robin")
    page.get_by_label("Relationship", exact=True).select_option(label="Partner")
    page.get_by_label("Ring 1: the closest").check()
    page.get_by_label(re.compile(r"^Satisfying aspects")).fill("Kind and patient.")
    page.get_by_label("Change since the onset").fill("Fewer shared evenings since the move.")
    page.get_by_label("Linked problem area").select_option(value="role_transition")
    page.get_by_label("A candidate for the focus of treatment").check()
    page.get_by_role("button", name="Add to the inventory").click()
    expect(status).to_have_text("Robin is in the inventory.")
    expect(page.get_by_role("heading", name="Robin", level=2)).to_be_visible()
    expect(main.get_by_text("Partner · Ring 1 · Linked to role transitions")).to_be_visible()

    # A timeline event, about that person.
    page.get_by_role("link", name=f"The course of {client.full_name}").click()
    page.get_by_role("region", name="Timeline", exact=True).get_by_role("link", name="Add an event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an event to the timeline")
    page.get_by_label("Date", exact=True).fill(today)
    page.get_by_label("Life event").check()
    page.get_by_label("Description").fill("Moved to a new city for a partner's job.")
    page.get_by_label("Who it is about").select_option(label="Robin (partner)")
    page.get_by_role("button", name="Add to the timeline").click()
    expect(status).to_have_text("The event is on the timeline.")
    expect(main).to_contain_text("Moved to a new city for a partner's job.")

    # The Interpersonal Triad.
    page.get_by_role("link", name=f"The course of {client.full_name}").click()
    page.get_by_role("link", name="Record the triad").click()
    page.get_by_label("Acute interpersonal crisis").fill("The move away from friends and work.")
    page.get_by_label("Social support (optional)").fill("Robin; no friends nearby yet.")
    page.get_by_label("Robin (partner)").check()
    page.get_by_role("button", name="Save the triad").click()
    expect(status).to_have_text("The Interpersonal Triad is saved.")
    expect(page.get_by_role("region", name="Interpersonal Triad", exact=True)).to_contain_text("Support people: Robin")

    # The focus: a problem area with its evidence, and a goal.
    page.get_by_role("link", name="Choose or change problem areas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Problem areas")
    page.get_by_label("Role transitions (life changes)").check()
    page.get_by_label("Evidence for it").fill("Symptoms began within weeks of the move to a new city.")
    page.get_by_role("button", name="Choose this problem area").click()
    expect(status).to_have_text("Role transition is chosen. Add its goals.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Role transitions")
    page.get_by_label("A goal in your own words").fill("Make one new friend in the city.")
    page.get_by_role("button", name="Add the goal").click()
    expect(status).to_have_text("The goal was added.")
    expect(page.get_by_role("region", name="Goals", exact=True)).to_contain_text("Make one new friend in the city.")

    # The formulation: the draft is composed from the records; shared and agreed today.
    page.goto(course_url)
    expect(next_phase.get_by_role("listitem")).to_have_text([NO_FORMULATION, NO_CONTRACT])
    page.get_by_role("link", name="Write the formulation from a draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interpersonal formulation")
    formulation = page.get_by_label("Formulation", exact=True)
    expect(formulation).to_have_value(
        re.compile(r"^Your moderate depressive episode is an illness that can be treated")
    )
    expect(formulation).to_have_value(re.compile(r"life changes \(in IPT, role transitions\)"))
    page.get_by_label("Shared with the client on").fill(today)
    page.get_by_label("Agreed by the client on").fill(today)
    page.get_by_role("button", name="Save the formulation").click()
    expect(status).to_have_text("The formulation was saved.")

    # Only the contract is missing now: the page says so, and still offers no way into the middle phase.
    expect(next_phase.get_by_role("listitem")).to_have_text([NO_CONTRACT])
    expect(next_phase.get_by_role("button")).to_have_count(0)

    # The contract: 12 weekly sessions, agreed today.
    page.get_by_role("link", name="Write the contract").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Treatment contract")
    page.get_by_label("Number of sessions").fill("12")
    page.get_by_label("Agreed by the client on").fill(today)
    page.get_by_role("button", name="Save the contract").click()
    expect(status).to_contain_text("The contract was saved.")

    # The middle phase.
    expect(next_phase.get_by_role("listitem")).to_have_count(0)
    next_phase.get_by_role("button", name="Start the middle phase").click()
    expect(status).to_have_text("The course is now in its middle phase.")
    expect(phase_badge).to_have_text("Middle phase")
    expect(page.get_by_role("region", name="Phase history", exact=True)).to_contain_text(
        "Initial → Middle (Theo Therapist)"
    )

    # A session: attended, a between-session task, risk asked with no concern.
    page.get_by_role("link", name="Record session 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record session 1")
    page.get_by_label("Date of the session").fill(today)
    expect(page.get_by_label("Attended", exact=True)).to_be_checked()
    page.get_by_label("How things have been since last time").fill("A little brighter; went to a local class.")
    page.get_by_label("Find what the new role offers.").check()
    page.get_by_label("None was set").check()
    page.get_by_label("Between-session task agreed for next time").fill("Talk to one person at the class.")
    page.get_by_label("Asked: no current risk").check()
    page.get_by_role("button", name="Record session 1").click()
    expect(status).to_have_text("Session 1 recorded.")
    page.get_by_role("link", name=f"The course of {client.full_name}").click()
    session_row = page.get_by_role("row", name=re.compile(r"^Session 1 "))
    expect(session_row).to_contain_text("Attended")
    expect(session_row).to_contain_text("None was set")
    expect(session_row).to_contain_text("Asked: no current risk")

    # The termination phase.
    next_phase.get_by_role("button", name="Start the termination phase").click()
    expect(status).to_have_text("The course is now in its termination phase.")
    expect(phase_badge).to_have_text("Termination phase")

    # The termination review.
    page.get_by_role("link", name="Write the review: goals and symptom change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Termination review: {client.full_name}")
    page.get_by_label("Progress", exact=True).fill("Mood much better; sleeping well; two new friends.")
    page.get_by_label("Why the client feels better").fill("Joined a class and asked Robin for support.")
    page.get_by_label("Feelings about ending").fill("Some sadness about ending, which we talked through.")
    page.get_by_label("No further sessions").check()
    page.get_by_role("button", name="Save the review").click()
    expect(status).to_have_text("The termination review is saved.")
    ending = page.get_by_role("region", name="Ending and maintenance", exact=True)
    expect(ending).to_contain_text("Next step: No further sessions.")
    expect(ending.get_by_role("region", name="Closing as completed", exact=True)).to_contain_text(
        "Record the relapse-prevention plan before closing the course as completed."
    )

    # The relapse-prevention plan, agreed with the client.
    page.get_by_role("link", name="Write the plan with the client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Relapse-prevention plan: {client.full_name}")
    page.get_by_label("Early warning signs").fill("Waking early; cancelling plans with friends.")
    page.get_by_label("What helps to keep well").fill("The weekly class; an evening out with Robin.")
    page.get_by_label("People to turn to").fill("Robin; the friends from the class.")
    page.get_by_label("What to do if the symptoms come back").fill("Call the clinic for a review within a week.")
    page.get_by_label("Emergency contacts").fill("Demo crisis line: call 0000, day or night.")
    page.get_by_label("Agreed with the client on").fill(today)
    page.get_by_role("button", name="Save the plan").click()
    expect(status).to_have_text("The relapse-prevention plan is saved.")
    expect(ending).to_contain_text(re.compile(r"Agreed with the client on \d{1,2} \w+ \d{4}\."))
    expect(ending).to_contain_text("The course can be closed as completed.")

    # Close the course as completed.
    ending.get_by_role("link", name="Close the course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Close the course of {client.full_name}")
    page.get_by_label("Completed").check()
    page.get_by_label("Note").fill("Recovered; no further sessions needed.")
    page.get_by_label("End date").fill(today)
    page.get_by_role("button", name="Close the course").click()

    # Closed and read-only.
    expect(status).to_have_text("The course is closed.")
    expect(page).to_have_url(course_url)
    expect(phase_badge).to_have_text("Closed phase")
    expect(main).to_contain_text("Completed (Recovered; no further sessions needed.)")
    expect(main).to_contain_text("The course is closed: these records can be read but no longer changed.")
    expect(main).to_contain_text("The course is closed: its sessions can be read but not changed.")
    expect(page.get_by_role("region", name="Next phase", exact=True)).to_have_count(0)
    for gone in ("Close the course", "Record session 2", "Add an event", "Edit the assessment"):
        expect(page.get_by_role("link", name=gone)).to_have_count(0)
    expect(page.get_by_role("link", name="View the assessment")).to_be_visible()
    expect(page.get_by_role("region", name="Phase history", exact=True)).to_contain_text(
        "Termination → Closed (Theo Therapist)"
    )

    # The assessment page shows the record but offers nothing to save.
    page.get_by_role("link", name="View the assessment").click()
    expect(main).to_contain_text("This course is closed: its records can be read but no longer changed.")
    expect(page.get_by_label("Diagnosis code")).to_be_disabled()
    expect(page.get_by_role("button", name="Save the assessment")).to_have_count(0)

    # The client's page lists the course as closed, completed.
    page.get_by_role("link", name=f"The course of {client.full_name}").click()
    page.get_by_role("link", name=client.full_name).click()
    expect(page.get_by_role("region", name="IPT courses", exact=True).get_by_role("listitem")).to_contain_text(
        "Closed (completed)"
    )
