"""Changes to the sessions part of a course: one audited function per action, in a transaction."""
