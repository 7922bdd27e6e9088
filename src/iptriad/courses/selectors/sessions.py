"""Reads for the sessions part of a course, scoped by the course policy."""
