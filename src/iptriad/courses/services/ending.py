"""Changes to the ending part of a course: one audited function per action, in a transaction."""
