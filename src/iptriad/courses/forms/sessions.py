"""Forms for the sessions part of a course."""
