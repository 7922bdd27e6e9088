"""Reads for the focus part of a course, scoped by the course policy."""
