"""How forms render: `{{ form.<name>.as_field_group }}` draws a field through the project's field template."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Django's renderer on the project's template engines, with our label, hint, error and input for a field."""

    field_template_name = "web/field.html"
