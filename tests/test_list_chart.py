"""The list's 24-hour chart: scaled bars, drawn once per distinct set of counts."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask

from app.delivery.history import hourly
from app.extensions import db
from app.models import DeliveryAttempt, utcnow
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


def test_hourly_counts_put_each_attempt_in_its_hour(app: Flask, make_contact_point):
    points = [make_contact_point(name, [("webhook", {"url": "http://127.0.0.1:9/a"})])
              for name in ("ops", "db")]
    now = utcnow()
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    expected = {point.id: [[0, 0] for _ in range(24)] for point in points}
    for minutes, outcome, point in [(5, "success", 0), (7, "failure", 0), (65, "success", 0),
                                    (22 * 60, "skipped", 1), (30 * 60, "failure", 1),
                                    (125, "failure", 1)]:
        at = now - timedelta(minutes=minutes)
        db.session.add(DeliveryAttempt(contact_point_id=points[point].id, outcome=outcome,
                                       created_at=at))
        hours_ago = int((this_hour - at.replace(minute=0, second=0, microsecond=0))
                        .total_seconds() // 3600)
        if hours_ago < 24:  # 30 hours ago is outside the chart
            expected[points[point].id][23 - hours_ago][outcome == "failure"] += 1
    db.session.commit()

    counts = hourly([point.id for point in points], now)

    assert counts == {cp: tuple(tuple(hour) for hour in hours) for cp, hours in expected.items()}
    assert sum(ok + failed for hours in counts.values() for ok, failed in hours) == 5
