"""Reads for the ending part of a course, scoped by the course policy."""
