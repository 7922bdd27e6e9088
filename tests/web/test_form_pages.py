"""A form page answers 200 when shown, 400 with the problems on the form, or redirects with a message once saved."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django import forms
from django.contrib import messages
from django.contrib.messages import get_messages
from django.contrib.messages.storage import default_storage
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.test import RequestFactory, override_settings

from iptriad.web.pages import errors_as_messages, errors_on, render_form_page

# The page shows the form's problems and nothing else, so a test reads exactly what landed where.
PAGE = "{% for error in form.non_field_errors %}[top] {{ error }}\n{% endfor %}" + "".join(
    f"{{% for error in form.{name}.errors %}}[{name}] {{{{ error }}}}\n{{% endfor %}}" for name in ("text", "date")
)
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {"note.html": PAGE})]},
    }
]


class NoteForm(forms.Form):
    text = forms.CharField()
    date = forms.CharField(required=False)


def note_page(request: HttpRequest, save: Callable[[str], str]) -> HttpResponse:
    """A page written as the views are: the service's refusal lands on the form."""
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            note = save(form.cleaned_data["text"])
            messages.success(request, f"{note} is saved.")
            return redirect("/notes/")
    return render_form_page(request, "note.html", {"form": form})


def _request(method: str, data: dict[str, str] | None = None) -> HttpRequest:
    factory = RequestFactory()
    request = factory.post("/notes/new/", data or {}) if method == "POST" else factory.generic(method, "/notes/new/")
    request.session = {}  # type: ignore[assignment]  # the session storage of messages only needs a mapping
    request._messages = default_storage(request)  # type: ignore[attr-defined]
    return request


def _never(text: str) -> str:
    raise AssertionError("the service was called")


def _refuse(error: Exception) -> Callable[[str], str]:
    def save(text: str) -> str:
        raise error

    return save


def _said(request: HttpRequest) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(request)]


@pytest.fixture(autouse=True)
def _note_template():
    with override_settings(TEMPLATES=TEMPLATES):
        yield


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_it_shows_the_form_with_200(method):
    response = note_page(_request(method), save=_never)
    assert response.status_code == 200
    assert response.content == b""


def test_an_invalid_form_answers_400_with_its_errors_and_saves_nothing():
    response = note_page(_request("POST", {"text": ""}), save=_never)
    assert response.status_code == 400
    assert response.content.decode() == "[text] This field is required.\n"


def test_an_empty_post_answers_400_too():
    assert note_page(_request("POST"), save=_never).status_code == 400


def test_a_refusal_by_field_lands_on_those_fields_with_400():
    request = _request("POST", {"text": "hello"})
    refusal = ValidationError({"text": "Too short.", "date": ["Not a date.", "In the future."]})
    response = note_page(request, save=_refuse(refusal))
    assert response.status_code == 400
    assert response.content.decode() == "[text] Too short.\n[date] Not a date.\n[date] In the future.\n"
    assert _said(request) == []


def test_a_refusal_with_messages_lands_above_the_fields_with_400():
    request = _request("POST", {"text": "hello"})
    response = note_page(request, save=_refuse(ValidationError(["The course is closed.", "Ask a supervisor."])))
    assert response.status_code == 400
    assert response.content.decode() == "[top] The course is closed.\n[top] Ask a supervisor.\n"


def test_a_refusal_for_a_named_field_lands_on_it():
    form = NoteForm({"text": "hello"})
    assert form.is_valid()
    with errors_on(form, "date"):
        raise ValidationError("Not a date.")
    assert form.errors == {"date": ["Not a date."]}


def test_a_refusal_naming_a_field_the_form_lacks_is_a_programming_error():
    form = NoteForm({"text": "hello"})
    assert form.is_valid()
    with pytest.raises(ValueError, match="no field named 'colour'"), errors_on(form):
        raise ValidationError({"colour": "Not a colour."})


def test_a_refusal_about_something_the_form_does_not_ask_goes_above_the_fields_when_listed():
    form = NoteForm({"text": "hello"})
    assert form.is_valid()
    with errors_on(form, above=("client",)):
        raise ValidationError({"client": "This client already has an open course.", "text": "Too short."})
    assert form.errors == {"__all__": ["This client already has an open course."], "text": ["Too short."]}


def test_it_saves_then_redirects_with_the_message():
    request = _request("POST", {"text": "hello"})
    response = note_page(request, save=str.upper)
    assert (response.status_code, response["Location"]) == (302, "/notes/")
    assert _said(request) == [("success", "HELLO is saved.")]


def test_any_other_error_passes_through():
    with pytest.raises(PermissionDenied):
        note_page(_request("POST", {"text": "hello"}), save=_refuse(PermissionDenied()))


def test_an_action_shows_each_problem_as_an_error_message():
    request = _request("POST")
    with errors_as_messages(request):
        raise ValidationError(["The course is closed.", "Ask a supervisor."])
    assert _said(request) == [("error", "The course is closed."), ("error", "Ask a supervisor.")]


def test_an_action_that_succeeds_says_only_what_it_says():
    request = _request("POST")
    with errors_as_messages(request):
        messages.success(request, "Done.")
    assert _said(request) == [("success", "Done.")]
