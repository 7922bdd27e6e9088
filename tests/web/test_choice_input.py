"""The choice_input filter writes each option's <input> exactly as Django's own option templates do."""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundWidget

from iptriad.web.templatetags.choices import choice_input


class OptionsForm(forms.Form):
    one = forms.ChoiceField(choices=[("a", "A"), ("b", 'B "quoted" & <b>')], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(
        choices=[("1", "One"), ("2", "Two"), ("x<y", "Odd")], required=False, widget=forms.CheckboxSelectMultiple
    )
    marked = forms.ChoiceField(
        choices=[("", "None"), ("z", "Z")],
        widget=forms.RadioSelect(attrs={"aria-describedby": 'hint "1"', "disabled": True, "data-off": False}),
    )


def _options(form: forms.Form) -> list[BoundWidget]:
    return [option for name in form.fields for option in form[name].subwidgets]


def test_it_writes_what_django_writes_for_unbound_options():
    form = OptionsForm(auto_id="record_%s", initial={"one": "b", "many": ["1", "x<y"]})
    for option in _options(form):
        assert choice_input(option) == option.tag()


def test_it_writes_what_django_writes_for_bound_options_with_errors():
    form = OptionsForm(data={"one": "nope", "many": ["2"], "marked": ""})
    assert not form.is_valid()
    for option in _options(form):
        assert choice_input(option) == option.tag()
