"""The closeness circle's geometry: rings, evenly spread angles, where dots and labels go."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iptriad.core.protocol.closeness import (
    CENTRE_RADIUS,
    DEFAULT_RINGS,
    LABEL_FONT_SIZE,
    MAX_RINGS,
    RING_WIDTH,
    RingError,
    Seat,
    assign_angles,
    layout,
    normalise_angle,
    point,
    ring_count,
    ring_radius,
    short_label,
    spread_angles,
)

PROPERTY = settings(database=None, deadline=None, max_examples=300)


def _distance(x: float, y: float, centre_x: float, centre_y: float) -> float:
    return math.hypot(x - centre_x, y - centre_y)


class TestRingCount:
    def test_it_draws_three_rings_for_nobody_or_people_on_the_three_rings(self):
        assert ring_count([]) == DEFAULT_RINGS == 3
        assert ring_count([1, 2, 3, 3]) == 3

    @pytest.mark.parametrize("furthest", [4, 5])
    def test_it_adds_rings_for_someone_further_out(self, furthest):
        assert ring_count([1, furthest, 2]) == furthest

    @pytest.mark.parametrize("ring", [0, -1, MAX_RINGS + 1])
    def test_it_refuses_a_ring_outside_one_to_five(self, ring):
        with pytest.raises(RingError):
            ring_count([ring])


class TestAngles:
    @pytest.mark.parametrize(
        ("count", "offset", "expected"),
        [
            (0, 0.0, ()),
            (1, 0.0, (0.0,)),
            (2, 0.0, (0.0, 180.0)),
            (4, 0.0, (0.0, 90.0, 180.0, 270.0)),
            (3, 90.0, (90.0, 210.0, 330.0)),
            (2, 270.0, (270.0, 90.0)),
        ],
    )
    def test_it_spreads_angles_evenly(self, count, offset, expected):
        assert spread_angles(count, offset) == pytest.approx(expected)

    def test_it_refuses_a_negative_count(self):
        with pytest.raises(ValueError, match="negative"):
            spread_angles(-1)

    @pytest.mark.parametrize(("angle", "expected"), [(0, 0), (360, 0), (370, 10), (-90, 270), (-720.5, 359.5)])
    def test_it_normalises_angles_into_0_to_360(self, angle, expected):
        assert normalise_angle(angle) == pytest.approx(expected)

    def test_it_keeps_a_persons_own_angle(self):
        angles = assign_angles([Seat(key=1, ring=1, angle=45.0), Seat(key=2, ring=1, angle=400.0)])
        assert angles == {1: 45.0, 2: pytest.approx(40.0)}

    def test_it_spreads_the_unplaced_people_of_each_ring_and_turns_each_ring_by_half_a_step(self):
        seats = [Seat(key=k, ring=1) for k in (1, 2, 3, 4)] + [Seat(key=k, ring=2) for k in (5, 6)]
        angles = assign_angles(seats)
        assert [angles[k] for k in (1, 2, 3, 4)] == pytest.approx([0.0, 90.0, 180.0, 270.0])
        # Ring 1 had four people, a step of 90°: ring 2 starts 45° round.
        assert [angles[k] for k in (5, 6)] == pytest.approx([45.0, 225.0])

    def test_one_person_on_each_ring_does_not_make_a_vertical_line(self):
        angles = assign_angles([Seat(key=ring, ring=ring) for ring in (1, 2, 3)])
        assert angles[1] != angles[2]
        assert angles[2] != angles[3]

    def test_it_spreads_the_unplaced_among_themselves_beside_people_placed_by_hand(self):
        angles = assign_angles([Seat(key=1, ring=1, angle=10.0), Seat(key=2, ring=1), Seat(key=3, ring=1)])
        assert angles == {1: 10.0, 2: 0.0, 3: 180.0}

    def test_it_treats_a_non_finite_angle_as_unplaced(self):
        assert assign_angles([Seat(key=1, ring=1, angle=math.nan)]) == {1: 0.0}

    def test_it_refuses_two_seats_with_one_key(self):
        with pytest.raises(ValueError, match="key"):
            assign_angles([Seat(key=1, ring=1), Seat(key=1, ring=2)])

    def test_it_refuses_a_seat_on_a_ring_that_does_not_exist(self):
        with pytest.raises(RingError):
            assign_angles([Seat(key=1, ring=6)])


class TestGeometry:
    def test_a_point_goes_clockwise_from_the_top(self):
        assert point(100, 100, 10, 0) == pytest.approx((100, 90))
        assert point(100, 100, 10, 90) == pytest.approx((110, 100))
        assert point(100, 100, 10, 180) == pytest.approx((100, 110))
        assert point(100, 100, 10, 270) == pytest.approx((90, 100))

    def test_a_person_sits_in_the_middle_of_their_rings_band(self):
        assert ring_radius(1) == CENTRE_RADIUS + RING_WIDTH / 2
        assert ring_radius(3) - ring_radius(2) == RING_WIDTH

    def test_an_empty_circle_has_the_client_in_the_centre_and_three_rings(self):
        circle = layout([])
        assert circle.dots == ()
        assert [ring.number for ring in circle.rings] == [1, 2, 3]
        assert (circle.centre_x, circle.centre_y) == (circle.width / 2, circle.height / 2)
        assert circle.rings[0].radius == CENTRE_RADIUS + RING_WIDTH

    def test_someone_on_ring_five_gives_five_rings_and_a_bigger_picture(self):
        three, five = layout([Seat(key=1, ring=1)]), layout([Seat(key=1, ring=5)])
        assert len(five.rings) == 5
        assert five.width > three.width

    def test_labels_go_above_dots_in_the_top_half_and_below_in_the_bottom_half(self):
        circle = layout([Seat(key=1, ring=1, angle=0.0), Seat(key=2, ring=1, angle=180.0)])
        top, bottom = circle.dots
        assert top.label_y < top.y
        assert bottom.label_y > bottom.y
        assert (top.label_x, bottom.label_x) == (top.x, bottom.x)

    def test_it_keeps_the_seats_order(self):
        circle = layout([Seat(key=9, ring=2), Seat(key=3, ring=1), Seat(key=5, ring=3)])
        assert [dot.key for dot in circle.dots] == [9, 3, 5]


seats_strategy = st.lists(
    st.builds(
        Seat,
        key=st.integers(),
        ring=st.integers(min_value=1, max_value=MAX_RINGS),
        angle=st.none() | st.floats(min_value=-1e6, max_value=1e6),
    ),
    max_size=40,
    unique_by=lambda seat: seat.key,
)


@PROPERTY
@given(seats_strategy)
def test_every_dot_and_label_is_inside_the_picture_on_its_own_ring(seats):
    circle = layout(seats)
    assert len(circle.dots) == len(seats)
    assert len(circle.rings) == max([DEFAULT_RINGS, *(seat.ring for seat in seats)])
    for dot in circle.dots:
        assert 0 <= dot.x <= circle.width
        assert dot.label_y - LABEL_FONT_SIZE >= 0
        assert dot.label_y <= circle.height
        inner = CENTRE_RADIUS + (dot.ring - 1) * RING_WIDTH
        assert inner < _distance(dot.x, dot.y, circle.centre_x, circle.centre_y) < inner + RING_WIDTH
        assert 0 <= dot.angle < 360


@PROPERTY
@given(st.integers(min_value=1, max_value=60), st.floats(min_value=0, max_value=359))
def test_spread_angles_are_distinct_and_a_full_turn_apart_in_total(count, offset):
    angles = sorted(spread_angles(count, offset))
    assert len(set(angles)) == count
    gaps = [b - a for a, b in itertools.pairwise(angles)] + [angles[0] + 360 - angles[-1]]
    assert gaps == pytest.approx([360 / count] * count)


@PROPERTY
@given(st.text(max_size=200), st.integers(min_value=1, max_value=30))
def test_short_labels_fit_their_limit(text, limit):
    label = short_label(text, limit)
    assert len(label) <= limit
    assert label == " ".join(text.split()) or label.endswith("…")


class TestShortLabel:
    def test_it_keeps_a_short_name(self):
        assert short_label("Sam") == "Sam"

    def test_it_cuts_a_long_name_with_an_ellipsis(self):
        assert short_label("Bartholomew Jones", 12) == "Bartholomew…"

    def test_it_tidies_whitespace(self):
        assert short_label("  Mum \n and  Dad ") == "Mum and Dad"

    def test_it_refuses_a_limit_below_one(self):
        with pytest.raises(ValueError, match="limit"):
            short_label("Sam", 0)
