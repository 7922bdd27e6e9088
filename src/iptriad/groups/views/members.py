"""The pages about one member of a group: the member in the group, the pre-group meeting and the decision, clearing a
held member, leaving, the warning-signs plan, a referral's follow-up and an outreach call.

Each page scopes the member to what the page does (iptriad.groups.permissions), so a member outside it is a 404;
each write is one service call, and the service's refusals go back onto the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.once import submitted_once
from iptriad.accounts.permissions import member_view
from iptriad.core.groups import DROPOUT_REASONS, NOT_JOINING_REASONS, PRE_GROUP_GUIDE
from iptriad.core.limits import NOTE_MAX
from iptriad.groups.models import (
    NAME_MAX,
    PROBLEM_AREA_CHOICES,
    SHORT_NOTE_MAX,
    GroupMember,
    MemberStatus,
    OutreachOutcome,
)
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
    PreGroupDetails,
    member_clear,
    member_decide,
    member_drop,
    member_plan_save,
    outreach_done,
    pre_group_record,
    referral_follow_up,
)
from iptriad.measures.definitions import definitions
from iptriad.measures.forms import QuestionnaireForm
from iptriad.web.pages import errors_on, render_form_page
from iptriad.web.widgets import DateInput

GET_POST = ["GET", "HEAD", "POST"]
YES_NO = [("yes", "Yes"), ("no", "No")]

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


def _text(label: str, limit: int, *, required: bool = True, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": limit}),
    )


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


# --- 1. The member in the group ---------------------------------------------------------------------------------


@member_view
@require_http_methods(["GET", "HEAD"])
def member_detail_page(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    member = member_get(actor=actor, member_id=member_id, action=GroupAction.VIEW)
    page = member_page(actor=actor, member=member)
    context: dict[str, Any] = {
        "page": page,
        "member": member,
        "group": member.group,
        "client": member.client,
        "held_steps": HELD_STEPS_FOR_FACILITATOR,
        "crisis_contacts": member.group.organisation.crisis_contacts,
    }
    return render(request, "groups/member_detail.html", context)


# --- 2. The pre-group meeting -----------------------------------------------------------------------------------


class PreGroupForm(QuestionnaireForm):
    """The meeting's date, the screening questionnaire item by item, the problem area, the goal and the risk screen."""

    held_on = forms.DateField(label="Date of the meeting", widget=DateInput())
    parent_meeting_on = forms.DateField(label="Date of the meeting with a parent", widget=DateInput(), required=False)
    problem_area = forms.ChoiceField(
        label="Problem area they will work on", choices=PROBLEM_AREA_CHOICES, widget=forms.RadioSelect
    )
    goal = _text("Their personal goal, in their own words", SHORT_NOTE_MAX, rows=2)
    note = _text(
        "Note",
        NOTE_MAX,
        required=False,
        rows=4,
        help_text="When the low mood started, the people in their life, anything the clinician should know.",
    )
    suicide_plan = forms.ChoiceField(
        label="Do they have a plan to end their life now?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Answer this safety question."},
    )
    recent_attempt = forms.ChoiceField(
        label="Have they tried to end their life in the last 3 months?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Answer this safety question."},
    )

    def __init__(self, *args: Any, with_parent: bool, **kwargs: Any) -> None:
        super().__init__(*args, clinician=False, **kwargs)
        if not with_parent:
            del self.fields["parent_meeting_on"]

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{item.number}"] for item in self.definition.items]

    def details(self) -> PreGroupDetails:
        data = self.cleaned_data
        return PreGroupDetails(
            held_on=data["held_on"],
            screening_answers=self.answers(),
            problem_area=data["problem_area"],
            goal=data["goal"],
            note=data["note"],
            suicide_plan=_yes_no(data["suicide_plan"]),
            recent_attempt=_yes_no(data["recent_attempt"]),
            parent_meeting_on=data.get("parent_meeting_on"),
        )


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


class DecisionForm(forms.Form):
    joins = forms.ChoiceField(
        label="Do they join the group?",
        choices=[("yes", "Yes, they join"), ("no", "No, they do not join")],
        widget=forms.RadioSelect,
    )
    consent_on = forms.DateField(
        label="Date they agreed to join", required=False, widget=DateInput(), help_text="Only when they join."
    )
    reason_code = forms.ChoiceField(label="Why they do not join", required=False, widget=forms.RadioSelect)
    referred_to = forms.CharField(
        label="Referred to",
        max_length=NAME_MAX,
        required=False,
        help_text="Who will see them instead (a clinician, a clinic): only when the reason refers them.",
    )
    detail = _text("Detail", NOTE_MAX, required=False)

    def __init__(self, *args: Any, must_refer: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reasons = [reason for reason in NOT_JOINING_REASONS if reason.refer or not must_refer]
        self.fields["reason_code"].choices = [(reason.code, reason.label) for reason in reasons]  # type: ignore[attr-defined]
        if must_refer:
            self.fields["joins"].choices = [("no", "No, they do not join")]  # type: ignore[attr-defined]


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


class ClearForm(forms.Form):
    note = _text(
        "What you decided", NOTE_MAX, help_text="For the facilitator and the record: what happens now for the member."
    )


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


class DropForm(forms.Form):
    reason_code = forms.ChoiceField(
        label="Why they left",
        choices=[(reason.code, reason.label) for reason in DROPOUT_REASONS],
        widget=forms.RadioSelect,
    )
    left_on = forms.DateField(
        label="Date they left", required=False, widget=DateInput(), help_text="Leave empty for today."
    )
    note = _text("Note", NOTE_MAX, required=False)


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


class PlanForm(forms.Form):
    warning_signs = _text("Their warning signs", NOTE_MAX, help_text="What tells them the low mood is coming back.")
    plan = _text("Their plan", NOTE_MAX, help_text="What they will do, and who they will turn to, if the signs come.")


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


class FollowUpForm(forms.Form):
    follow_up = _text("What happened after the referral", NOTE_MAX)


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


class OutreachForm(forms.Form):
    outcome = forms.ChoiceField(label="What came of it", choices=OutreachOutcome.choices, widget=forms.RadioSelect)
    note = _text("Note", SHORT_NOTE_MAX, required=False, rows=2)


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
