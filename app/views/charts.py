"""The 24-hour delivery chart of a list row, drawn once per distinct set of hourly counts.

Most rows of a list share their counts (above all: no deliveries at all), and a chart is
a pure function of its 24 (delivered, failed) pairs, so each drawing is kept and reused.
The counts are the whole key: nothing per user or secret is in a chart.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from jinja2 import Environment
from markupsafe import Markup

Hours = tuple[tuple[int, int], ...]
HEIGHT = 38  # of the tallest bar, in the 40-unit high drawing


@dataclass(frozen=True)
class Bar:
    """One hour of the chart: its counts and where its two stacked parts are drawn."""

    hours_ago: int
    x: int
    ok: int
    failed: int
    ok_height: float
    failed_height: float

    @property
    def ok_y(self) -> float:
        return 40 - self.ok_height - self.failed_height

    @property
    def failed_y(self) -> float:
        return 40 - self.failed_height


def bars(hours: Hours) -> list[Bar]:
    """The bars of the 24 hours, oldest first, scaled to the tallest hour."""
    tallest = max(max((ok + failed for ok, failed in hours), default=0), 1)
    return [Bar(len(hours) - 1 - index, index * 10 + 1, ok, failed,
                round(ok / tallest * HEIGHT, 1), round(failed / tallest * HEIGHT, 1))
            for index, (ok, failed) in enumerate(hours)]


@lru_cache(maxsize=1024)
def _drawn(environment: Environment, hours: Hours) -> Markup:
    template = environment.get_template("contact_points/_chart.html")
    return Markup(template.render(
        bars=bars(hours), sent=sum(ok for ok, _ in hours), failed=sum(f for _, f in hours)))


def delivery_chart(hours: Hours | list[tuple[int, int]]) -> Markup:
    """The chart of one contact point's last 24 hours (as history.hourly counts them)."""
    return _drawn(current_app.jinja_env, hours if isinstance(hours, tuple) else tuple(hours))
