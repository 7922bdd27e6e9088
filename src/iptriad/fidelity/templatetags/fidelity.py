from django import template

from iptriad.fidelity.selectors.ratings import answer_label as _answer_label

register = template.Library()


@register.filter
def answer_label(answer: str | None) -> str:
    """An answer's words ("Partly"), or a dash when the item was not answered."""
    return _answer_label(answer)
