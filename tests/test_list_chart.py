"""The list's 24-hour chart: scaled bars, drawn once per distinct set of counts."""
from __future__ import annotations

from flask import Flask

from app.views.charts import bars, delivery_chart

QUIET = [(0, 0)] * 24


def test_bars_are_scaled_to_the_tallest_hour_and_stacked():
    hours = [(0, 0)] * 22 + [(3, 1), (1, 0)]

    drawn = bars(tuple(hours))

    assert [bar.hours_ago for bar in drawn[-2:]] == [1, 0]
    busiest = drawn[22]
    assert (busiest.x, busiest.ok_height, busiest.failed_height) == (221, 28.5, 9.5)
    assert (busiest.ok_y, busiest.failed_y) == (2.0, 30.5)
    assert drawn[23].ok_height == 9.5 and drawn[0].ok_height == 0.0


def test_a_chart_says_its_counts_and_draws_only_hours_with_deliveries(app: Flask):
    with app.app_context():
        chart = str(delivery_chart([(0, 0)] * 23 + [(2, 1)]))

    assert 'aria-label="Deliveries in the last 24 hours: 2 delivered, 1 failed"' in chart
    assert chart.count('class="bar-ok"') == 1 and chart.count('class="bar-failed"') == 1
    assert "<title>0 h ago: 2 delivered</title>" in chart
    assert "<figcaption>Last 24 hours: 2 delivered, 1 failed</figcaption>" in chart


def test_the_same_counts_reuse_one_drawing(app: Flask):
    with app.app_context():
        first, again = delivery_chart(QUIET), delivery_chart(list(QUIET))
        other = delivery_chart(QUIET[:-1] + [(1, 0)])

    assert first is again
    assert other != first and 'class="bar-ok"' not in first
