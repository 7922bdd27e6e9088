"""Group set-up pages and the facilitator's home on a phone (390 px), without horizontal scrolling."""

from __future__ import annotations

import os

from django.utils import timezone
from playwright.sync_api import Page, expect

from iptriad.groups.models import GroupMember, OutreachTask, ProgrammeSite
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn
from tests.e2e.test_phone_width import PHONE, assert_no_horizontal_scroll
from tests.groups.factories import joined_members, make_clients, make_group

SHOTS = os.environ.get("IPTRIAD_SHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_the_facilitator_finds_their_group_and_what_to_do_on_a_phone(
    page: Page, personas: Personas, log_in: LogIn
) -> None:
    admin = personas.actor(personas.admin_a)
    site = ProgrammeSite.objects.create(organisation=personas.org_a, name="Kibuye health centre")
    group = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a)
    group.site = site
    group.save()
    members = joined_members(admin, personas.actor(personas.facilitator_a), group, make_clients(personas.org_a, 12))
    GroupMember.objects.filter(pk=members[0].pk).update(held_since=timezone.now())
    OutreachTask.objects.create(organisation=personas.org_a, member=members[1], session=group.sessions.get(number=2))
    page.set_viewport_size(PHONE)
    log_in(page, personas.facilitator_a.email, PASSWORD)

    page.goto("/")
    expect(page.get_by_role("link", name="Record session 1")).to_be_visible()
    expect(page.get_by_text("missed 2 sessions in a row")).to_be_visible()
    expect(page.get_by_text("the clinician will tell you when they can come back")).to_be_visible()
    assert_no_horizontal_scroll(page)
    _shot(page, "facilitator_home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups")
    assert_no_horizontal_scroll(page)
    _shot(page, "groups_list")

    page.get_by_role("link", name=group.name).click()
    expect(page.get_by_role("heading", name="Sessions")).to_be_visible()
    expect(page.get_by_text("Held for clinical review")).to_be_visible()
    assert_no_horizontal_scroll(page)
    _shot(page, "group_detail")


def test_an_organiser_sets_a_group_up_on_a_phone(page: Page, personas: Personas, log_in: LogIn) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, personas.admin_a.email, PASSWORD)
    for url, name in (("/groups/new/", "group_new"), ("/groups/formats/", "formats"), ("/groups/sites/", "sites")):
        page.goto(url)
        _shot(page, name)
        assert_no_horizontal_scroll(page)

    page.goto("/groups/new/")
    page.get_by_label("Name of the group").fill("Kibuye women's group")
    page.get_by_label("StrongMinds model: 12 sessions", exact=False).check()
    page.get_by_label("Facilitator", exact=True).select_option(label=personas.facilitator_a.full_name)
    page.get_by_label("Supervising clinician").select_option(label=personas.therapist_a.full_name)
    page.get_by_role("button", name="Set the group up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kibuye women's group")
    expect(page.get_by_text("12 of 12")).to_be_visible()
    assert_no_horizontal_scroll(page)
