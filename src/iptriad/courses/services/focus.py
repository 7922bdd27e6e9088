"""Changes to the focus part of a course: one audited function per action, in a transaction."""
