"""The ASRM and the EDE-Q are charted like the other instruments: their bands behind the line, the change alone
(no reliable-change, response or remission threshold is published for either)."""

from __future__ import annotations

import datetime as dt

import pytest

from iptriad.core.instruments import instrument
from iptriad.measures.charts import trajectory_svg
from iptriad.measures.trajectory import MINUS, Score, Trajectory, build_trajectory

START = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


def series(code: str, *totals: float) -> Trajectory:
    scores = [
        Score(administration_id=n, completed_at=START + dt.timedelta(weeks=n), session_number=n, total=t, band="")
        for n, t in enumerate(totals, start=1)
    ]
    return build_trajectory(instrument(code), scores)


@pytest.mark.parametrize(
    ("code", "totals", "change", "bands"),
    [
        ("asrm", (9, 3), f"{MINUS}6 points (67 % reduction)", ["(hypo)mania unlikely", "probable (hypo)mania"]),
        ("edeq", (4.25, 2.5), f"{MINUS}1.75 points (41 % reduction)", ["clinically significant range"]),
    ],
)
def test_it_is_charted_with_its_bands_and_shows_only_the_change(code, totals, change, bands):
    trajectory = series(code, *totals)
    assert trajectory.verdicts == ()
    assert trajectory.change_summary == change
    svg = trajectory_svg(trajectory).decode()
    assert all(band in svg for band in bands)
