"""`{% once_key %}` in a creating form: a hidden random key made when the form is shown, so that the same
submission sent twice (a double click, a retry after a lost answer) records once (iptriad.accounts.once)."""

from __future__ import annotations

import secrets

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from iptriad.web.pages import ONCE_FIELD

register = template.Library()


@register.simple_tag
def once_key() -> SafeString:
    # 128 bits of randomness, URL-safe: it fits the idempotency key format the API takes (decision 0026).
    return format_html('<input type="hidden" name="{}" value="{}">', ONCE_FIELD, secrets.token_urlsafe(16))
