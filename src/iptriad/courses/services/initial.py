"""Changes to the initial part of a course: one audited function per action, in a transaction."""
