"""iptriad: software for delivering Interpersonal Psychotherapy (IPT)."""

__version__ = "0.1.0"
