"""Reads for the initial part of a course, scoped by the course policy."""
