"""Benchmark the contact points pages on 1,000 contact points with 3 integrations each.

Run `python bench/bench_contact_points.py`. It seeds a temporary SQLite file through the
domain function, then times in-process requests with the Flask test client (no network):
the list page, a search, the edit form and a save of the edit form with a changed name.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from cryptography.fernet import Fernet
from werkzeug.datastructures import MultiDict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.accounts import create_user  # noqa: E402
from app.contact_points import IntegrationInput, save_contact_point  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import ContactPoint  # noqa: E402

TEAMS = (
    "payments",
    "checkout",
    "search",
    "ledger",
    "platform",
    "storage",
    "identity",
    "billing",
    "mobile",
    "data",
)
TARGETS_MS = {"list page": 30.0, "search": 30.0, "save": 20.0}
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
USERNAME, PASSWORD = "bench-editor", "bench password, long enough"


def seed(count: int) -> None:
    """Create `count` contact points, each with an Email, a Slack and a Webhook integration."""
    for number in range(count):
        team = TEAMS[number % len(TEAMS)]
        blocks = [
            IntegrationInput(
                "email",
                {
                    "addresses": f"{team}-{number}@example.com; oncall-{number}@example.com; "
                    f"lead-{number}@example.com",
                },
            ),
            IntegrationInput(
                "slack",
                {
                    "recipient": f"#{team}-alerts",
                    "url": f"https://hooks.slack.com/services/T000/B{number:04d}/secret{number}",
                },
            ),
            IntegrationInput(
                "webhook",
                {
                    "url": f"https://hooks.example.com/{team}/{number}",
                    "hmacConfig.secret": f"hmac-secret-{number}",
                },
            ),
        ]
        result = save_contact_point(None, f"{team.title()} team {number:04d}", blocks)
        if result.errors:
            raise SystemExit(f"seeding failed: {result.errors}")


class FormFields(HTMLParser):
    """The fields a browser would submit from the POST form of a page sent to `action`."""

    def __init__(self, action: str, submit_label: str) -> None:
        super().__init__()
        self.action = action
        self.submit_label = submit_label
        self.fields: list[tuple[str, str]] = []
        self._in_form = self._done = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._button: tuple[str, str] | None = None
        self._label: str | None = None
        self.names_by_id: dict[str, str] = {}
        self.label_targets: dict[str, str] = {}  # label text -> the id it is for

    def field_named_by(self, label: str) -> str:
        """The submitted name of the control whose label reads `label`."""
        return self.names_by_id[self.label_targets[label]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self._in_form and not self._done:
            if a.get("method", "").lower() == "post" and a.get("action") == self.action:
                self._in_form = True
            return
        if not self._in_form or "disabled" in a:
            return
        name = a.get("name", "")
        if name and a.get("id"):
            self.names_by_id[a["id"]] = name
        if tag == "label" and a.get("for"):
            self._label, self._text = a["for"], []
        kind = a.get("type", "text").lower()
        if tag == "input" and name and kind not in ("submit", "button", "reset", "file"):
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "button" and name and kind == "submit":
            self._button, self._text = (name, a.get("value", "")), []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]
            ]
            self.fields.extend((self._select, value) for value in chosen[:1])
            self._select = None
        elif tag == "label" and self._label:
            text = " ".join("".join(self._text).split()).rstrip(" *")
            self.label_targets.setdefault(text, self._label)
            self._label = None
        elif tag == "button" and self._button:
            if "".join(self._text).strip() == self.submit_label:
                self.fields.append(self._button)
            self._button = None


def timed(request: Callable[[], object], repeat: int, seconds: float) -> list[float]:
    """Milliseconds of each call; stops after `repeat` calls or `seconds`, whichever first."""
    for _ in range(5):  # warm caches and the connection pool
        request()
    durations: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(durations) < repeat and time.perf_counter() < deadline:
        start = time.perf_counter()
        request()
        durations.append((time.perf_counter() - start) * 1000)
    return durations


def expect(response, status: int, what: str):
    if response.status_code != status:
        raise SystemExit(f"{what}: expected {status}, got {response.status_code}")
    return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contact-points", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=200, help="requests per measurement")
    parser.add_argument("--seconds", type=float, default=30.0, help="time cap per measurement")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="herald-bench-") as folder:
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "HERALD_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "HERALD_AUTO_MIGRATE": True,
            }
        )
        with app.app_context():
            user, errors = create_user(USERNAME, PASSWORD, "editor")
            if user is None:
                raise SystemExit(f"cannot create the bench account: {errors}")
            started = time.perf_counter()
            seed(args.contact_points)
            print(
                f"seeded {args.contact_points} contact points x 3 integrations "
                f"in {time.perf_counter() - started:.1f} s"
            )
            target = db.session.scalars(
                db.select(ContactPoint).order_by(ContactPoint.id).offset(args.contact_points // 2)
            ).first()
            uid, name = target.uid, target.name
            db.session.remove()
        results = measure(app, uid, name, args.repeat, args.seconds)
        check_saves(app, uid, name)
    report(results)


def check_saves(app, uid: str, name: str) -> None:
    """Make sure the timed saves really renamed the contact point and kept its secrets."""
    with app.app_context():
        contact_point = db.session.scalars(
            db.select(ContactPoint).where(ContactPoint.uid == uid)
        ).one()
        assert contact_point.name.startswith(f"{name} v"), contact_point.name
        assert [i.type for i in contact_point.integrations] == ["email", "slack", "webhook"]
        assert contact_point.integrations[1].secrets.get("url", "").startswith("https://")
        db.session.remove()


def log_in(client) -> None:
    """Log in through the login form, as a person does (not timed)."""
    login = client.get("/login").get_data(as_text=True)
    form = {"username": USERNAME, "password": PASSWORD}
    headers = {"X-CSRFToken": CSRF_RE.search(login).group(1)}
    expect(client.post("/login", data=form, headers=headers), 302, "log in")


def measure(app, uid: str, name: str, repeat: int, seconds: float) -> dict[str, list[float]]:
    client = app.test_client()
    log_in(client)
    page = expect(client.get("/contact-points"), 200, "list page").get_data(as_text=True)
    found = client.get("/contact-points?search=checkout").get_data(as_text=True)
    if page.count('class="contact-point"') != 25 or 'class="contact-point"' not in found:
        raise SystemExit("the list page or the search does not show contact points")
    csrf = {"X-CSRFToken": CSRF_RE.search(page).group(1)}
    edit_url = f"/contact-points/{uid}/edit"
    form = FormFields(edit_url, "Save contact point")
    form.feed(expect(client.get(edit_url), 200, "edit form").get_data(as_text=True))
    name_field = form.field_named_by("Name")
    renames = iter(range(10**9))

    def save() -> None:
        new_name = f"{name} v{next(renames)}"
        # Each save is the same form again, so the version it was opened at is left out
        # (checking it is one comparison of values the save loads anyway).
        data = MultiDict([(k, new_name if k == name_field else v) for k, v in form.fields
                          if k != "version"])
        expect(client.post(edit_url, data=data, headers=csrf), 302, "save")

    return {
        "list page": timed(
            lambda: expect(client.get("/contact-points"), 200, "list"), repeat, seconds
        ),
        "search": timed(
            lambda: expect(client.get("/contact-points?search=checkout"), 200, "search"),
            repeat,
            seconds,
        ),
        "edit form": timed(lambda: expect(client.get(edit_url), 200, "edit"), repeat, seconds),
        "save": timed(save, repeat, seconds),
    }


def report(results: dict[str, list[float]]) -> None:
    print(
        f"\n{'request':<12} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'target ms':>10} "
        f"{'median/target':>14} {'p95/target':>11}"
    )
    for what, durations in results.items():
        median = statistics.median(durations)
        p95 = statistics.quantiles(durations, n=20)[-1]
        target = TARGETS_MS.get(what)
        ratios = (
            f"{median / target:>14.2f} {p95 / target:>11.2f}" if target else f"{'-':>14} {'-':>11}"
        )
        print(
            f"{what:<12} {len(durations):>5} {median:>10.1f} {p95:>8.1f} "
            f"{target or '-':>10} {ratios}"
        )


if __name__ == "__main__":
    main()
