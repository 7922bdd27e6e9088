"""Every change to a course: one named action per function, validated, in a transaction, audited.

One module per part of the course: course (open, phases, close, tasks), initial, focus, sessions, ending.
"""
