"""Reads of courses, one module per part of the course; every read is scoped by the course policy."""
