"""Two people save the same contact point or template at the same instant: one wins, the
other is told someone else saved it. Never two successes, never a change silently lost."""
from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from app.extensions import db
from app.models import NotificationTemplate
from tests.formdata import form_data

ROUNDS = 50
Save = Callable[[FlaskClient, int, Callable[[], object]], int]


def race(clients: list[FlaskClient], saves: list[Save], rounds: int = ROUNDS
         ) -> list[tuple[int, ...]]:
    """Run the saves of each round at once (after a barrier); their status codes per round."""
    statuses: list[tuple[int, ...]] = []
    for round_number in range(rounds):
        # Generous: a busy machine is slow, and a broken barrier fails the round anyway.
        barrier = threading.Barrier(len(saves), timeout=60)
        answers = [0] * len(saves)

        def run(index: int, barrier=barrier, round_number=round_number, answers=answers):
            answers[index] = saves[index](clients[index], round_number, barrier.wait)

        threads = [threading.Thread(target=run, args=(index,)) for index in range(len(saves))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        statuses.append(tuple(answers))
    return statuses


def open_form(client: FlaskClient, url: str) -> dict[str, list[str]]:
    page = client.get(url)
    assert page.status_code == 200
    return form_data(page.get_data(as_text=True))


@pytest.fixture
def two_editors(client_as) -> list[FlaskClient]:
    return [client_as("editor"), client_as("admin")]


def contact_point_save(uid: str, change: Callable[[dict, int, int], None], who: int):
    def save(client: FlaskClient, round_number: int, at_once: Callable[[], object]) -> int:
        data = open_form(client, f"/contact-points/{uid}/edit")
        data.pop("action", None)
        change(data, round_number, who)
        at_once()
        return client.post(f"/contact-points/{uid}/edit", data=data).status_code
    return save


def rename(data: dict, round_number: int, who: int) -> None:
    data["name"] = [f"ops {round_number} by {who}"]


def retitle(data: dict, round_number: int, who: int) -> None:
    (key,) = [key for key in data if key.endswith(".s.title")]
    data[key] = [f"title {round_number} by {who}"]


@pytest.mark.parametrize("changes", [(rename, rename), (rename, retitle)],
                         ids=["both rename", "different fields"])
def test_two_saves_of_one_contact_point_never_both_succeed(two_editors, make_contact_point,
                                                           changes):
    uid = make_contact_point("ops", [("webhook", {"url": "https://hooks.example/a"})]).uid
    db.session.remove()  # the savers' threads use their own sessions
    saves = [contact_point_save(uid, change, who) for who, change in enumerate(changes)]

    statuses = race(two_editors, saves)

    for answers in statuses:
        assert sorted(answers) == [302, 409], statuses


def template_save(template_id: int, who: int):
    def save(client: FlaskClient, round_number: int, at_once: Callable[[], object]) -> int:
        data = open_form(client, f"/notification-templates/{template_id}/edit")
        data["template"] = [f"{{{{ Status }}}} {round_number} by {who}"]
        at_once()
        return client.post(f"/notification-templates/{template_id}/edit",
                           data=data).status_code
    return save


def test_two_saves_of_one_template_never_both_succeed(two_editors, client):
    client.post("/notification-templates/new", data={"name": "team", "template": "x"})
    template_id = db.session.query(NotificationTemplate.id).scalar()
    db.session.remove()

    statuses = race(two_editors, [template_save(template_id, 0), template_save(template_id, 1)])

    for answers in statuses:
        assert sorted(answers) == [302, 409], statuses


def test_a_delete_stands_even_when_someone_saved_just_before(client, make_contact_point):
    from sqlalchemy import func, select, text

    from app.contact_points import delete_contact_point, get_contact_point
    from app.models import ContactPoint, Integration

    uid = make_contact_point("ops", [("webhook", {"url": "https://hooks.example/a"})]).uid
    contact_point = get_contact_point(uid)  # seen at version 1
    with db.engine.begin() as other:  # another editor saves meanwhile
        other.execute(text("UPDATE contact_point SET version = version + 1, name = 'x'"))

    delete_contact_point(contact_point)

    assert db.session.scalar(select(func.count()).select_from(ContactPoint)) == 0
    assert db.session.scalar(select(func.count()).select_from(Integration)) == 0
