"""Rows for measurement-based care: measures, self-report links, risk alerts, trajectories, schedules, export."""

from tests.security.matrix_rows.base import CLINICAL_ACTION, CLINICAL_OBJECT, CLINICAL_PAGES, EVERYONE_OK, Row

ROWS = {
    "measures-client": Row("get", CLINICAL_OBJECT, target="client"),
    "measures-record": Row("get", CLINICAL_OBJECT, target="client", query="?instrument=phq9"),
    "measures-link-create": Row(
        "post", CLINICAL_ACTION, target="client", form={"instrument": "phq9", "valid_days": "7"}
    ),
    "alert-raise": Row("post", CLINICAL_ACTION, target="client", form={"concern": "Said they feel hopeless."}),
    "measures-administration": Row("get", CLINICAL_OBJECT, target="administration"),
    "measures-link-sent": Row("get", CLINICAL_OBJECT, target="link"),
    "measures-link-revoke": Row("post", CLINICAL_ACTION, target="link"),
    "alert-list": Row("get", CLINICAL_PAGES),
    "alert-detail": Row("get", CLINICAL_OBJECT, target="alert"),
    "self-report": Row("get", EVERYONE_OK, target="token", anonymous=200, public=True),
    "measures-fhir-export": Row("get", CLINICAL_OBJECT, target="client"),
    "measures-trajectory-svg": Row("get", CLINICAL_OBJECT, target="course", query="?instrument=phq9"),
    "measures-schedule": Row("get", CLINICAL_OBJECT, target="course"),
    "measures-schedule-add": Row(
        "post", CLINICAL_ACTION, target="course", form={"instrument": "who5", "cadence": "every_session"}
    ),
}
