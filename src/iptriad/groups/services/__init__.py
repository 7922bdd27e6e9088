"""Writes of group IPT, one named function per action, each in a transaction and audited: set-up (sites, formats,
groups), members (adding, the pre-group meeting and decision, holds, leaving, plans, referrals, outreach) and
sessions (the roster)."""
