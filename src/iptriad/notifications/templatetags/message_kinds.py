"""{{ message.kind|kind_label }}: a message's kind in words (iptriad.notifications.kinds)."""

from __future__ import annotations

from django import template

from iptriad.notifications.kinds import kind_label as _kind_label

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    return _kind_label(kind)
