"""Forms for the focus part of a course."""
