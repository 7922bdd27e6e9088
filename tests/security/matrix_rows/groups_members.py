"""Rows for a group member's pages: the member in the group, the pre-group meeting and decision, clearing a held
member, leaving, the warning-signs plan, a referral's follow-up and an outreach call.

Organisation A's matrix member is joined (not held); the matrix group is led by facilitator_a and supervised by
therapist_a. An administrator sees the member page (no clinical content) and gets 404 on every clinical form; only
the clinicians (supervising clinician, supervisors) clear members and follow referrals up.
"""

from tests.security.matrix_rows.base import CLINICAL_OBJECT, EVERYONE_OK, Row, statuses

RUN_PAGES = statuses(404, 200, 200, 200)

ROWS = {
    "groups_member": Row("get", EVERYONE_OK, target="group_member"),
    "groups_pre_group": Row("get", RUN_PAGES, target="group_member"),
    "groups_decision": Row("get", RUN_PAGES, target="group_member"),
    "groups_member_clear": Row("get", CLINICAL_OBJECT, target="group_member"),
    "groups_member_drop": Row("get", RUN_PAGES, target="group_member"),
    "groups_member_plan": Row("get", RUN_PAGES, target="group_member"),
    "groups_referral_follow_up": Row("get", CLINICAL_OBJECT, target="referral"),
    "groups_outreach_done": Row("get", RUN_PAGES, target="outreach"),
}
