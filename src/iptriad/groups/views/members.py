"""The pages about one member of a group: the member in the group, the pre-group meeting and the decision, clearing a
held member, leaving, the warning-signs plan, a referral's follow-up and an outreach call.

Each page scopes the member to what the page does (iptriad.groups.permissions), so a member outside it is a 404;
each write is one service call, and the service's refusals go back onto the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.once import submitted_once
from iptriad.accounts.permissions import member_view
from iptriad.core.groups import PRE_GROUP_GUIDE
from iptriad.groups.forms.members import (
    ClearForm,
    DecisionForm,
    DropForm,
    FollowUpForm,
    OutreachForm,
    PlanForm,
    PreGroupForm,
)
from iptriad.groups.models import (
    NAME_MAX,
    GroupMember,
    MemberStatus,
    OutreachOutcome,
)
from iptriad.groups.page_sections import member_page_sections
from iptriad.groups.permissions import GroupAction
from iptriad.groups.selectors.members import (
    entry_score_hint,
    member_get,
    member_page,
    missed_sessions,
    outreach_get,
    referral_get,
)
from iptriad.groups.services.members import (
    member_clear,
    member_decide,
    member_drop,
    member_plan_save,
    outreach_done,
    pre_group_record,
    referral_follow_up,
)
from iptriad.measures.definitions import definitions
from iptriad.web.pages import errors_on, render_form_page

GET_POST = ["GET", "HEAD", "POST"]

# What a facilitator does when a member is held, in plain words (shown on the member page and after the meeting).
HELD_STEPS_FOR_FACILITATOR = (
    "iptriad has told the group's supervising clinician. They will contact the member and decide with them what "
    "happens next.",
    "Until the clinician clears them, the member does not take part in the group's sessions. Mark them 'excused' on "
    "the roster.",
    "You do not need to judge how serious the risk is: that is the clinician's work.",
    "If you are worried about the member's safety now, do not leave them alone if you are with them, and call one of "
    "the crisis contacts below.",
)


# --- 1. The member in the group ---------------------------------------------------------------------------------


@member_view
@require_http_methods(["GET", "HEAD"])
def member_detail_page(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    member = member_get(
        actor=actor, member_id=member_id, action=GroupAction.VIEW, annotate=member_page_sections.annotations()
    )
    page = member_page(actor=actor, member=member)
    context: dict[str, Any] = {
        "page": page,
        "member": member,
        "group": member.group,
        "client": member.client,
        "held_steps": HELD_STEPS_FOR_FACILITATOR,
        "crisis_contacts": member.group.organisation.crisis_contacts,
        # What the apps above groups add (flags, the supervision log).
        "page_sections": member_page_sections.contexts(actor, member),
    }
    return render(request, "groups/member_detail.html", context)


# --- 2. The pre-group meeting -----------------------------------------------------------------------------------


@member_view
@require_http_methods(GET_POST)
def pre_group_page(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    member = member_get(actor=actor, member_id=member_id, action=GroupAction.RUN)
    group = member.group
    awaiting = member.status == MemberStatus.SCREENING and member.pre_group_on is None
    definition = definitions()[group.screening_instrument]
    form = PreGroupForm(
        request.POST if request.method == "POST" and awaiting else None,
        definition=definition,
        with_parent=group.parent_pre_group,
    )
    with submitted_once(request, actor) as once:
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and awaiting and form.is_valid() and once.refusal_on(form):
            with errors_on(form, above=("screening_answers",)):
                saved = pre_group_record(actor=actor, member=member, details=form.details())
                if saved.is_held:
                    messages.warning(
                        request,
                        "The pre-group meeting is saved. The supervising clinician has been told of the risk: "
                        "read below what to do next.",
                    )
                    return once.done(redirect("groups_member", member_id=member.pk))
                messages.success(request, "The pre-group meeting is saved. Now record whether they join.")
                return once.done(redirect("groups_decision", member_id=member.pk))
    context = {
        "member": member,
        "group": group,
        "client": member.client,
        "awaiting": awaiting,
        "form": form,
        "definition": definition,
        "guide": PRE_GROUP_GUIDE,
        "entry_score": entry_score_hint(group.format_code),
    }
    return render_form_page(request, "groups/member_pre_group.html", context)


# --- 3. The decision --------------------------------------------------------------------------------------------


@member_view
@require_http_methods(GET_POST)
def decision_page(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    member = member_get(actor=actor, member_id=member_id, action=GroupAction.RUN)
    awaiting = member.status == MemberStatus.SCREENING and member.pre_group_on is not None
    must_refer = bool(member.suicide_plan or member.recent_attempt)
    initial = {"referred_to": member.group.supervisor.full_name[:NAME_MAX]} if must_refer else {}
    if must_refer:
        initial["joins"] = "no"
        initial["reason_code"] = "suicide_plan" if member.suicide_plan else "recent_attempt"
    form = DecisionForm(
        request.POST if request.method == "POST" and awaiting else None, initial=initial, must_refer=must_refer
    )
    with submitted_once(request, actor) as once:
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and awaiting and form.is_valid() and once.refusal_on(form):
            data = form.cleaned_data
            with errors_on(form):
                decided = member_decide(
                    actor=actor,
                    member=member,
                    joins=data["joins"] == "yes",
                    consent_on=data["consent_on"],
                    reason_code=data["reason_code"] or "",
                    referred_to=data["referred_to"],
                    detail=data["detail"],
                )
                messages.success(request, f"Recorded: {decided.get_status_display().lower()}.")
                return once.done(redirect("groups_member", member_id=member.pk))
    context = {
        "member": member,
        "group": member.group,
        "client": member.client,
        "awaiting": awaiting,
        "must_refer": must_refer,
        "form": form,
    }
    return render_form_page(request, "groups/member_decision.html", context)


# --- 4. Clearing a held member ----------------------------------------------------------------------------------


@member_view
@require_http_methods(GET_POST)
def member_clear_page(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    member = member_get(actor=actor, member_id=member_id, action=GroupAction.CLEAR)
    form = ClearForm(request.POST if request.method == "POST" and member.is_held else None)
    if request.method == "POST" and member.is_held and form.is_valid():
        with errors_on(form):
            member_clear(actor=actor, member=member, note=form.cleaned_data["note"])
            messages.success(request, "The member is cleared: they can take part in the group again.")
            return redirect("groups_member", member_id=member.pk)
    alert = member.held_alert
    context = {
        "member": member,
        "group": member.group,
        "client": member.client,
        "form": form,
        "alert": alert,
        "alert_open": alert is not None and alert.is_open,
    }
    return render_form_page(request, "groups/member_clear.html", context)


# --- 5. Leaving -------------------------------------------------------------------------------------------------


@member_view
@require_http_methods(GET_POST)
def member_drop_page(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    member = member_get(actor=actor, member_id=member_id, action=GroupAction.RUN)
    joined = member.status == MemberStatus.JOINED
    form = DropForm(request.POST if request.method == "POST" and joined else None)
    if request.method == "POST" and joined and form.is_valid():
        data = form.cleaned_data
        with errors_on(form):
            member_drop(
                actor=actor, member=member, reason_code=data["reason_code"], left_on=data["left_on"], note=data["note"]
            )
            messages.success(request, "Recorded: the member has left the group.")
            return redirect("groups_member", member_id=member.pk)
    context = {"member": member, "group": member.group, "client": member.client, "joined": joined, "form": form}
    return render_form_page(request, "groups/member_drop.html", context)


# --- 6. The warning-signs plan ----------------------------------------------------------------------------------


@member_view
@require_http_methods(GET_POST)
def member_plan_page(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    member = member_get(actor=actor, member_id=member_id, action=GroupAction.RUN)
    open_for_plan = member.status in (MemberStatus.JOINED, MemberStatus.FINISHED)
    initial = {"warning_signs": member.warning_signs, "plan": member.warning_plan}
    form = PlanForm(request.POST if request.method == "POST" and open_for_plan else None, initial=initial)
    if request.method == "POST" and open_for_plan and form.is_valid():
        with errors_on(form):
            member_plan_save(
                actor=actor,
                member=member,
                warning_signs=form.cleaned_data["warning_signs"],
                plan=form.cleaned_data["plan"],
            )
            messages.success(request, "The plan is saved.")
            return redirect("groups_member", member_id=member.pk)
    context = {"member": member, "group": member.group, "client": member.client, "open": open_for_plan, "form": form}
    return render_form_page(request, "groups/member_plan.html", context)


# --- 7. A referral's follow-up ----------------------------------------------------------------------------------


@member_view
@require_http_methods(GET_POST)
def referral_follow_up_page(request: HttpRequest, actor: Actor, referral_id: int) -> HttpResponse:
    referral = referral_get(actor=actor, referral_id=referral_id, action=GroupAction.CLEAR)
    pending = referral.followed_up_at is None
    form = FollowUpForm(request.POST if request.method == "POST" and pending else None)
    if request.method == "POST" and pending and form.is_valid():
        with errors_on(form):
            referral_follow_up(actor=actor, referral=referral, follow_up=form.cleaned_data["follow_up"])
            messages.success(request, "The follow-up is recorded.")
            return redirect("groups_member", member_id=referral.member_id)
    context = {"referral": referral, "member": referral.member, "client": referral.member.client, "form": form}
    return render_form_page(request, "groups/member_referral_follow_up.html", context)


# --- 8. An outreach call ----------------------------------------------------------------------------------------


@member_view
@require_http_methods(GET_POST)
def outreach_done_page(request: HttpRequest, actor: Actor, task_id: int) -> HttpResponse:
    task = outreach_get(actor=actor, task_id=task_id, action=GroupAction.RUN)
    pending = task.done_at is None
    form = OutreachForm(request.POST if request.method == "POST" and pending else None)
    if request.method == "POST" and pending and form.is_valid():
        with errors_on(form):
            done = outreach_done(
                actor=actor, task=task, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
            )
            if done.outcome == OutreachOutcome.NOT_RETURNING and task.member.status == MemberStatus.JOINED:
                messages.success(request, "Recorded. If they have left the group, record why below.")
                return redirect("groups_member_drop", member_id=task.member_id)
            messages.success(request, "Recorded.")
            return redirect("groups_member", member_id=task.member_id)
    member: GroupMember = task.member
    context = {
        "task": task,
        "member": member,
        "client": member.client,
        "missed": missed_sessions(task),
        "pending": pending,
        "form": form,
    }
    return render_form_page(request, "groups/member_outreach.html", context)


urlpatterns = [
    path("members/<int:member_id>/", member_detail_page, name="groups_member"),
    path("members/<int:member_id>/pre-group/", pre_group_page, name="groups_pre_group"),
    path("members/<int:member_id>/decision/", decision_page, name="groups_decision"),
    path("members/<int:member_id>/clear/", member_clear_page, name="groups_member_clear"),
    path("members/<int:member_id>/drop/", member_drop_page, name="groups_member_drop"),
    path("members/<int:member_id>/plan/", member_plan_page, name="groups_member_plan"),
    path("referrals/<int:referral_id>/follow-up/", referral_follow_up_page, name="groups_referral_follow_up"),
    path("outreach/<int:task_id>/done/", outreach_done_page, name="groups_outreach_done"),
]
