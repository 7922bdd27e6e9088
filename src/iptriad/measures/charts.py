"""A trajectory drawn as a static SVG with pygal (docs/decisions/0008-charts.md): no script, served as an image.

The severity bands of the instrument's definition are the chart's background, one filled flat series per band
(pygal has no band primitive: each series fills from its band's upper bound down to the bottom of the scale, the
widest first, so each later, narrower one covers all but its own band). The band boundaries are also the y-axis
labels and guide lines, so they show even with a single score. The x axis is the administrations in order,
labelled by session number and date.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import pygal  # type: ignore[import-untyped]
from pygal.style import Style  # type: ignore[import-untyped]

from iptriad.measures.trajectory import Point, Trajectory

# pygal appends a legacy import hook (PluginImportFixer, for its map plug-ins, which iptriad does not use) to
# sys.meta_path. On Python 3.11 every import that reaches it warns "find_spec() not found", and with warnings as
# errors (the test suite) an unrelated `try: import x / except ImportError` then fails. It serves only
# `pygal.maps.*`, so it is taken out again here.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__module__ != "pygal"]

WIDTH, HEIGHT = 480, 360  # small enough that its 13-unit text stays legible when scaled to a phone
MAX_X_LABELS = 10
# Pale enough to print and to keep the black score line readable, from the best band to the worst.
BAND_COLOURS = ("#dcefdc", "#eef5d3", "#fbf2cc", "#fce3c8", "#f8d3d0")
SCORE_COLOUR = "#1d1d1d"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _band_colours(count: int, higher_is_better: bool) -> list[str]:
    """`count` colours from best to worst, spread over the palette; bands are listed from the lowest score up."""
    if count <= 0:
        return []
    if count == 1:
        return [BAND_COLOURS[0]]
    last = len(BAND_COLOURS) - 1
    colours = [BAND_COLOURS[round(index * last / (count - 1))] for index in range(count)]
    # Lowest scores first: the best band on a symptom scale, the worst on a well-being or support scale.
    return colours[::-1] if higher_is_better else colours


def _x_label(point: Point) -> str:
    date = f"{point.on.day} {point.on:%b}"
    return f"S{point.score.session_number} · {date}" if point.score.session_number else date


def _major_labels(labels: list[str]) -> list[str]:
    """The labels shown when there are too many to show all: the first, the last and evenly spaced ones between."""
    if len(labels) <= MAX_X_LABELS:
        return labels
    step = (len(labels) - 1) / (MAX_X_LABELS - 1)
    return [labels[round(index * step)] for index in range(MAX_X_LABELS)]


def _without_scripts(tree: Any) -> Any:
    """pygal always embeds a <script> holding its configuration (for optional tooltips): the image needs none."""
    for parent in tree.iter():
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return tree


def trajectory_svg(trajectory: Trajectory) -> bytes:
    definition = trajectory.definition
    points = trajectory.valid_points
    low, high = definition.score_range
    bands = definition.bands
    colours = _band_colours(len(bands), definition.higher_is_better)
    uppers = [band.lower for band in bands[1:]] + [high]
    # Series are drawn in the order added: the band reaching highest first, the score line last, on top.
    band_series = list(zip(bands, uppers, colours, strict=True))[::-1]
    style = Style(
        background="white",
        plot_background="white",
        foreground="#1d1d1d",
        foreground_strong="#1d1d1d",
        foreground_subtle="#555555",
        guide_stroke_color="#8a8a8a",
        major_guide_stroke_color="#8a8a8a",
        colors=(*(colour for _, _, colour in band_series), SCORE_COLOUR),
        opacity="1",
        stroke_width="2",
        opacity_hover="1",
        font_family=FONT,
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=13,
        title_font_size=16,
        no_data_font_size=20,
    )
    count = len(points)
    labels = [_x_label(point) for point in points]
    chart = pygal.Line(
        style=style,
        js=[],
        width=WIDTH,
        height=HEIGHT,
        title=f"{definition.short_name} total score",
        range=(low, high),
        zero=math.floor(low),
        # pygal cannot place fixed y labels on a chart with no series: it then shows only its no-data text.
        y_labels=sorted({*(band.lower for band in bands), low, high}) if points else None,
        show_y_guides=True,
        # A blank position either side, so the bands span the plot and a single score sits in the middle of them.
        x_labels=["", *labels, ""],
        x_label_rotation=40 if count > 4 else 0,
        x_labels_major=_major_labels(labels),
        show_minor_x_labels=count <= MAX_X_LABELS,
        truncate_label=-1,
        truncate_legend=-1,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        no_data_text="No valid score yet",
        disable_xml_declaration=True,
        interpolate=None,
        print_values=False,
    )
    chart.add_xml_filter(_without_scripts)
    if points:
        for band, upper, _ in band_series:
            chart.add(band.label, [upper] * (count + 2), fill=True, show_dots=False, stroke_style={"width": 0})
        chart.add(
            f"{definition.short_name} total",
            [None, *(point.score.total for point in points), None],
            dots_size=4,
        )
    return str(chart.render(is_unicode=True)).encode()
