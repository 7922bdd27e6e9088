"""The supervisor's dashboard: therapists and facilitators worst first, read from the stored flags (issue 13)."""
