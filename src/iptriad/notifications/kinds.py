"""What each kind of message is called on the pages: the kinds are short codes chosen by their senders."""

from __future__ import annotations

KIND_LABELS = {
    "alert_opened": "Risk alert",
    "alert_escalated": "Risk alert passed on",
    "link_sent": "Questionnaire link",
    "link_reminder": "Reminder",
}


def kind_label(kind: str) -> str:
    """The page's name for a kind; a kind without one shows as its code in words."""
    return KIND_LABELS.get(kind, kind.replace("_", " "))
