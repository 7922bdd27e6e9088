"""`{{ choice|choice_input }}`: the <input> of one radio or checkbox option, as Django's `{{ choice.tag }}` writes it.

Django draws each option through three templates (input_option, input, attrs): a questionnaire or the session form
has dozens of options, and that was a large part of those pages' time. This writes the same markup in Python; a
test holds it equal to Django's for every kind of option (tests/web/test_choice_input.py).
"""

from __future__ import annotations

from django import template
from django.forms.boundfield import BoundWidget
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def choice_input(choice: BoundWidget) -> SafeString:
    data = choice.data
    parts = [f'<input type="{conditional_escape(data["type"])}" name="{conditional_escape(data["name"])}"']
    if data["value"] is not None:
        parts.append(f' value="{conditional_escape(str(data["value"]))}"')
    for name, value in data["attrs"].items():
        if value is False:
            continue
        # Django's attrs.html: a True attribute is written bare (checked, required), any other with its value.
        parts.append(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        )
    parts.append(">")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308, B703  # every value above is escaped
