"""Every form field draws through web/field.html: its label, its hint and its error tied to the input."""

from __future__ import annotations

from django import forms
from pytest_django.asserts import assertHTMLEqual


class VisitForm(forms.Form):
    name = forms.CharField(help_text="As the client <em>says</em> it.")
    note = forms.CharField(required=False)
    agreed = forms.BooleanField(required=False, help_text="Tick once the client agrees.")


def test_a_field_has_its_label_then_its_hint_described_by_the_input():
    assertHTMLEqual(
        VisitForm()["name"].as_field_group(),
        """<div class="field">
          <label for="id_name">Name</label>
          <p class="hint" id="id_name_helptext">As the client &lt;em&gt;says&lt;/em&gt; it.</p>
          <input type="text" name="name" required aria-describedby="id_name_helptext" id="id_name">
        </div>""",
    )


def test_an_optional_field_says_so_in_its_label():
    assertHTMLEqual(
        VisitForm()["note"].as_field_group(),
        """<div class="field">
          <label for="id_note">Note <span class="optional">(optional)</span></label>
          <input type="text" name="note" id="id_note">
        </div>""",
    )


def test_a_field_with_an_error_is_marked_invalid_and_described_by_the_error():
    form = VisitForm({"name": ""})
    assert not form.is_valid()
    assertHTMLEqual(
        form["name"].as_field_group(),
        """<div class="field has-error">
          <label for="id_name">Name</label>
          <p class="hint" id="id_name_helptext">As the client &lt;em&gt;says&lt;/em&gt; it.</p>
          <p class="field-error" id="id_name_error">This field is required.</p>
          <input type="text" name="name" required aria-invalid="true"
            aria-describedby="id_name_helptext id_name_error" id="id_name">
        </div>""",
    )


def test_a_checkbox_comes_before_its_label():
    assertHTMLEqual(
        VisitForm(auto_id="visit_%s")["agreed"].as_field_group(),
        """<div class="field checkbox">
          <input type="checkbox" name="agreed" aria-describedby="visit_agreed_helptext" id="visit_agreed">
          <label for="visit_agreed">Agreed</label>
          <p class="hint" id="visit_agreed_helptext">Tick once the client agrees.</p>
        </div>""",
    )
