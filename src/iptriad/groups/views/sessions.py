"""A group session's roster page: attendance, symptom checks, risk flags and notes for every member, on a phone.

Saved in one go; the form carries a key made when it was shown, so saving twice on a bad connection records once
(iptriad.accounts.once). Saving an already recorded session completes or corrects it: checks already taken are
shown, never taken again.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.once import submitted_once
from iptriad.accounts.permissions import member_view
from iptriad.groups.forms.roster import RosterForm
from iptriad.groups.selectors.sessions import Roster, session_risks, session_roster
from iptriad.groups.services.sessions import session_record
from iptriad.web.pages import render_form_page


def _put_errors(form: RosterForm, error: ValidationError) -> None:
    """The service names fields the form has (`member_12_status`) and some it does not (`member_12_check`, what the
    whole check is about): those go above the form, so nothing it said is lost."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _saved_message(roster: Roster) -> str:
    rows = roster.rows + roster.held  # a member held by this very save was on its roster
    statuses = [row.recorded.status for row in rows if row.recorded is not None]
    present = sum(1 for status in statuses if status in ("present", "make_up"))
    checks = sum(1 for row in rows if row.has_check)
    return (
        f"Session {roster.session.number} saved: {present} of {len(statuses)} members attended, "
        f"{checks} symptom check{'s' if checks != 1 else ''} recorded."
    )


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def group_session_page(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    roster = session_roster(actor=actor, session_id=session_id)
    form = RosterForm(request.POST or None, roster=roster)
    with submitted_once(request, actor) as once:  # a second save on a bad connection records nothing more
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            try:
                session_record(
                    actor=actor,
                    session=roster.session,
                    held_on=form.held_on_value,
                    entries=form.entries(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _put_errors(form, error)
            else:
                messages.success(request, _saved_message(session_roster(actor=actor, session_id=session_id)))
                return once.done(redirect("groups_session", session_id=session_id))
    context = {
        "roster": roster,
        "session": roster.session,
        "group": roster.session.group,
        "form": form,
        "cards": [(row, form.member_fields(row)) for row in roster.rows],
        "risks": session_risks(session=roster.session) if roster.is_recorded else None,
        "crisis_contacts": actor.organisation.crisis_contacts,
    }
    return render_form_page(request, "groups/session_roster.html", context)


urlpatterns: list[URLPattern] = [
    path("sessions/<int:session_id>/", group_session_page, name="groups_session"),
]
