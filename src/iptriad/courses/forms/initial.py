"""Forms for the initial part of a course."""
