"""Test notifications: fan-out, sent once, skipped resolved messages, recorded attempts."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from app.delivery import notify
from app.extensions import db
from app.integrations import REGISTRY
from app.models import ContactPoint, DeliveryAttempt, Integration
from tests.loopback import answers, closed_port, slow_receiver
from tests.senders.conftest import make_group


@pytest.fixture(autouse=True)
def fast_retries(app):
    app.config.update(HERALD_RETRY_BACKOFF=0.01, HERALD_RETRY_MAX_TIME=5)


def webhook(url: str) -> tuple[str, dict]:
    return ("webhook", {"url": url, "title": "t", "message": "m"})


def add_raw_integration(contact_point: ContactPoint, type_id: str, settings: dict) -> None:
    """An integration stored without validation, as old or imported data can be."""
    contact_point.integrations.append(Integration(type=type_id, settings=settings))
    db.session.commit()


# --- fan-out -----------------------------------------------------------------------------


def test_ten_slow_integrations_are_sent_concurrently(make_contact_point):
    with slow_receiver(0, gate=10) as receiver:
        contact_point = make_contact_point("ops", [webhook(receiver.url)] * 10)

        results = notify.notify(contact_point, make_group("firing"))

    assert [r.outcome for r in results] == ["success"] * 10
    assert receiver.count == 10
    # All ten were being answered at the same moment: sent side by side, not one by one.
    assert receiver.most_in_flight == 10
    assert [r.label for r in results[:2]] == ["Webhook #1", "Webhook #2"]


def test_a_failing_integration_does_not_stop_the_others(httpserver, make_contact_point):
    httpserver.expect_request("/ok").respond_with_data("ok")
    port = closed_port()
    contact_point = make_contact_point("ops", [webhook(f"http://127.0.0.1:{port}/x"),
                                               webhook(httpserver.url_for("/ok"))])

    results = notify.notify(contact_point, make_group("firing"))

    assert [(r.outcome, r.error) for r in results] == [
        ("failure", f"connection refused (127.0.0.1:{port})"), ("success", "")]


# --- tests are sent once ---------------------------------------------------------------


def test_test_notifications_are_never_retried(httpserver, make_contact_point):
    httpserver.expect_request("/hook").respond_with_handler(answers(503, 503))
    contact_point = make_contact_point("ops", [webhook(httpserver.url_for("/hook"))])

    (result,) = notify.notify(contact_point, make_group("firing"))
    single = notify.test_integration("webhook", {"url": httpserver.url_for("/hook")},
                                     receiver="ops")

    assert (result.error, single.error) == ("HTTP 503: boom", "HTTP 503: boom")
    assert not result.permanent  # worth a retry, had it been a real notification
    assert len(httpserver.log) == 2


def test_timeouts_are_reported_in_seconds(app):
    app.config["HERALD_HTTP_TIMEOUT"] = 0.2
    with slow_receiver(1.0) as receiver:
        result = notify.test_integration("webhook", {"url": receiver.url}, receiver="ops")

    assert (result.outcome, result.error) == ("failure", "timed out after 0.2 s")
    assert result.duration_ms < 900


# --- what is sent, skipped or refused ------------------------------------------------------


def test_resolved_messages_are_skipped_when_disabled(httpserver, make_contact_point):
    httpserver.expect_request("/hook").respond_with_data("ok")
    contact_point = make_contact_point("ops", [webhook(httpserver.url_for("/hook"))])
    contact_point.integrations[0].disable_resolve_message = True
    db.session.commit()

    (skipped,) = notify.notify(contact_point, make_group("resolved"))
    (sent,) = notify.notify(contact_point, make_group("firing"))

    assert (skipped.outcome, skipped.ok, sent.outcome) == ("skipped", True, "success")
    assert len(httpserver.log) == 1


def test_test_integration_sends_the_test_alert_to_unsaved_values(httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok", status=201)

    result = notify.test_integration(
        "webhook", {"url": httpserver.url_for("/hook"), "title": "t", "message": "m"},
        receiver="ops", labels={"team": "db"}, annotations={"runbook_url": "https://rb.test"})

    assert (result.outcome, result.status_code, result.integration_uid) == ("success", 201, None)
    (request, _), = httpserver.log
    alert = request.get_json()["alerts"][0]
    assert alert["labels"] == {"alertname": "TestAlert", "instance": "Herald", "team": "db"}
    assert alert["annotations"] == {"summary": "Notification test",
                                    "runbook_url": "https://rb.test"}
    assert db.session.scalars(select(DeliveryAttempt)).all() == []


def test_test_integration_refuses_invalid_values_without_sending():
    result = notify.test_integration("webhook", {"url": ""}, receiver="ops")

    assert (result.outcome, result.error) == (
        "failure", "The settings are not valid: URL is required.")


def test_unknown_types_and_sender_bugs_become_failures(make_contact_point, caplog):
    contact_point = make_contact_point("ops", [])
    add_raw_integration(contact_point, "line", {})
    add_raw_integration(contact_point, "telegram", {"chatid": "1", "message_thread_id": "x"})

    results = notify.notify(contact_point, make_group("firing"))

    assert [(r.outcome, r.error) for r in results] == [
        ("failure", "Herald cannot send to line integrations yet."),
        ("failure", "Internal error in Herald's Telegram sender; see its log.")]
    assert "The telegram sender failed unexpectedly" in caplog.text


# --- recorded attempts -------------------------------------------------------------------


def attempts_of(integration_id: int) -> list[DeliveryAttempt]:
    query = select(DeliveryAttempt).where(DeliveryAttempt.integration_id == integration_id)
    return list(db.session.scalars(query.order_by(DeliveryAttempt.id)))


def test_each_delivery_records_one_attempt(httpserver, make_contact_point):
    httpserver.expect_request("/hook").respond_with_handler(answers(500, 500, 500))
    contact_point = make_contact_point("ops", [webhook(httpserver.url_for("/hook"))])
    integration = contact_point.integrations[0]

    notify.notify(contact_point, make_group("firing"))
    notify.notify(contact_point, make_group("firing"))
    notify.test_integration("webhook", {"url": httpserver.url_for("/hook")}, receiver="ops",
                            integration_id=integration.id)

    rows = attempts_of(integration.id)
    assert [(r.outcome, r.status_code, r.is_test) for r in rows] == [
        ("failure", 500, True), ("failure", 500, True), ("failure", 500, True)]
    assert rows[0].error == "HTTP 500: boom"
    assert [r.contact_point_name for r in rows] == ["ops", "ops", "ops"]
    assert rows[0].request["method"] == "POST" and rows[0].response["status"] == 500
    assert all(r.duration_ms >= 0 and r.created_at for r in rows)


def test_last_attempts_fetches_the_newest_of_each_in_one_query(httpserver, make_contact_point):
    httpserver.expect_request("/hook").respond_with_data("ok")
    contact_point = make_contact_point("ops", [webhook(httpserver.url_for("/hook"))] * 2)
    first, second = contact_point.integrations
    notify.notify(contact_point, make_group("firing"))
    notify.test_integration("webhook", {"url": "http://127.0.0.1:1/"}, receiver="ops",
                            integration_id=first.id)
    first_id, second_id = first.id, second.id
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        latest = notify.last_attempts([first_id, second_id, 999])
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)

    assert len(statements) == 1
    assert set(latest) == {first_id, second_id}
    assert latest[first_id].outcome == "failure"
    assert latest[second_id].outcome == "success"
    assert notify.last_attempts([]) == {}


def test_every_registered_type_has_a_sender():
    assert [t for t, spec in REGISTRY.items() if spec.send is None] == []


def test_results_survive_an_attempt_that_cannot_be_recorded(httpserver, caplog):
    httpserver.expect_request("/hook").respond_with_data("ok")

    result = notify.test_integration("webhook", {"url": httpserver.url_for("/hook")},
                                     receiver="ops", integration_id=12345)

    assert result.outcome == "success"
    assert "Could not record delivery attempts" in caplog.text
    assert db.session.scalars(select(DeliveryAttempt)).all() == []
