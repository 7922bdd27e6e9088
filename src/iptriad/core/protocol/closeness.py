"""The closeness circle (ipt-protocol.md §4.3) as plain geometry: where each important person is drawn.

The client is in the centre; ring 1 is the inner, closest ring. Three rings is the usual drawing [BK], so the
circle has three rings unless someone is placed further out (the product allows up to five, Design note).
A ring is the band between two circles and a person sits in the middle of their band.

Angles are in degrees, clockwise from the top, like a clock face (0 = 12 o'clock, 90 = 3 o'clock); this is
what `InventoryPerson.angle` stores. People without an angle are spread evenly around their ring, each ring
turned by half a step from the one inside it so that neighbouring rings do not line up.

Pure functions over plain data; iptriad.courses.selectors.initial names the dots and the template
courses/initial/_closeness.html writes the layout out as SVG.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_RINGS = 3
MAX_RINGS = 5
CENTRE_RADIUS = 48.0  # room for the client's name
RING_WIDTH = 46.0
DOT_RADIUS = 6.0
LABEL_FONT_SIZE = 17.0
LABEL_ABOVE = 10.0  # from a dot's centre up to the baseline of a label written above it
LABEL_BELOW = 22.0  # from a dot's centre down to the baseline of a label written below it
MARGIN_X = 56.0  # half a label, so labels at the far left and right stay inside the picture
MARGIN_Y = 24.0  # a label line above the top dot and below the bottom one
LABEL_LIMIT = 11  # characters of a name written by its dot; the text list beside the picture gives it whole
CENTRE_LABEL_LIMIT = 10


class RingError(ValueError):
    """A ring outside 1..MAX_RINGS."""


@dataclass(frozen=True)
class Seat:
    """A person as the layout sees them: an id of the caller's choosing, their ring and, if set, their angle."""

    key: int
    ring: int
    angle: float | None = None


@dataclass(frozen=True)
class Dot:
    """Where one person is drawn, and where their label goes (x, y of its middle and baseline)."""

    key: int
    ring: int
    angle: float
    x: float
    y: float
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Ring:
    number: int
    radius: float  # the outer circle of the band


@dataclass(frozen=True)
class CircleLayout:
    """The whole picture in its own coordinates (an SVG viewBox from 0, 0 to width, height)."""

    width: float
    height: float
    centre_x: float
    centre_y: float
    centre_radius: float
    rings: tuple[Ring, ...]
    dots: tuple[Dot, ...]


def ring_count(rings: Iterable[int]) -> int:
    """How many rings to draw: three, or as many as the furthest person needs."""
    furthest = DEFAULT_RINGS
    for ring in rings:
        _check_ring(ring)
        furthest = max(furthest, ring)
    return furthest


def normalise_angle(angle: float) -> float:
    """The same direction in [0, 360)."""
    turned = math.fmod(angle, 360.0)
    if turned < 0:
        turned += 360.0
    return 0.0 if turned >= 360.0 else turned  # -1e-20 + 360 rounds to 360.0


def spread_angles(count: int, offset: float = 0.0) -> tuple[float, ...]:
    """`count` angles evenly spaced around a circle, the first at `offset`."""
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0:
        return ()
    step = 360.0 / count
    return tuple(normalise_angle(offset + step * index) for index in range(count))


def assign_angles(seats: Sequence[Seat]) -> dict[int, float]:
    """Every seat's angle: its own if set, else evenly spaced among the unplaced people of its ring.

    Ring n's unplaced people start half a step further round than ring n-1's, so one person per ring does
    not make a vertical line of dots and labels. Deterministic: the same seats give the same picture.
    """
    keys = [seat.key for seat in seats]
    if len(set(keys)) != len(keys):
        raise ValueError("every seat needs its own key")
    angles: dict[int, float] = {}
    unplaced: dict[int, list[int]] = {}
    for seat in seats:
        _check_ring(seat.ring)
        if seat.angle is None or not math.isfinite(seat.angle):
            unplaced.setdefault(seat.ring, []).append(seat.key)
        else:
            angles[seat.key] = normalise_angle(seat.angle)
    offset = 0.0
    for ring in range(1, MAX_RINGS + 1):
        ring_keys = unplaced.get(ring, [])
        if not ring_keys:
            continue
        angles.update(zip(ring_keys, spread_angles(len(ring_keys), offset), strict=True))
        offset = normalise_angle(offset + 180.0 / len(ring_keys))
    return angles


def ring_radius(ring: int) -> float:
    """The radius a person of this ring is drawn at: the middle of the ring's band."""
    _check_ring(ring)
    return CENTRE_RADIUS + (ring - 0.5) * RING_WIDTH


def point(centre_x: float, centre_y: float, radius: float, angle: float) -> tuple[float, float]:
    """The point at `radius` in the direction `angle` (clockwise from the top; SVG's y axis points down)."""
    radians = math.radians(angle)
    return centre_x + radius * math.sin(radians), centre_y - radius * math.cos(radians)


def layout(seats: Sequence[Seat]) -> CircleLayout:
    """The closeness circle for these people, with every coordinate rounded to a tenth."""
    count = ring_count(seat.ring for seat in seats)
    outer = CENTRE_RADIUS + count * RING_WIDTH
    width, height = 2 * (outer + MARGIN_X), 2 * (outer + MARGIN_Y)
    centre_x, centre_y = width / 2, height / 2
    angles = assign_angles(seats)
    dots: list[Dot] = []
    for seat in seats:
        angle = angles[seat.key]
        x, y = point(centre_x, centre_y, ring_radius(seat.ring), angle)
        # Labels go on the side away from the centre, so they do not cover the rings inside.
        above = y < centre_y - 0.5
        label_y = y - LABEL_ABOVE if above else y + LABEL_BELOW
        dots.append(
            Dot(
                key=seat.key,
                ring=seat.ring,
                angle=normalise_angle(round(angle, 1)),
                x=round(x, 1),
                y=round(y, 1),
                label_x=round(x, 1),
                label_y=round(label_y, 1),
            )
        )
    return CircleLayout(
        width=round(width, 1),
        height=round(height, 1),
        centre_x=round(centre_x, 1),
        centre_y=round(centre_y, 1),
        centre_radius=CENTRE_RADIUS,
        rings=tuple(Ring(number=n, radius=CENTRE_RADIUS + n * RING_WIDTH) for n in range(1, count + 1)),
        dots=tuple(dots),
    )


def short_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """The text, cut to `limit` characters with an ellipsis when longer (whitespace tidied)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    tidy = " ".join(text.split())
    if len(tidy) <= limit:
        return tidy
    return tidy[: limit - 1].rstrip() + "…"


def _check_ring(ring: int) -> None:
    if not 1 <= ring <= MAX_RINGS:
        raise RingError(f"ring {ring} is outside 1..{MAX_RINGS}")
