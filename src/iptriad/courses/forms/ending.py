"""Forms for the ending part of a course."""
