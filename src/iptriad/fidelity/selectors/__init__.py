"""Reads of fidelity: the session rated and its checklist, ratings, agreement, the supervisor's queue, reminders.

`latest_ratings` is the entry point the competency records read (iptriad.fidelity.selectors.ratings).
"""

from iptriad.fidelity.selectors.ratings import latest_ratings

__all__ = ["latest_ratings"]
