"""Rows for the sessions part of a course (filled in with its pages)."""

from tests.security.matrix_rows.base import Row

ROWS: dict[str, Row] = {}
