"""Workers: claims, retries as scheduled rows, permanent failures, fallback, leases."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from sqlalchemy import event, select, update
from werkzeug import Request, Response

from app.alerting.grouping import next_flush_in
from app.alerting.policies import default_spec, save_tree
from app.alerts import group_from_dict
from app.delivery import outbox
from app.delivery.batch import deliver, deliver_rows
from app.delivery.models import FAILED, PENDING, SENDING, SENT, Notification
from app.delivery.worker import Worker
from app.extensions import db
from app.models import ContactPoint, DeliveryAttempt, utcnow
from app.runner import flush_groups
from tests.loopback import answers, closed_port, hanging_receiver, open_port, slow_receiver
from tests.pipeline import alert, drain, waiting, webhook_body
from tests.processes import wait_for


@pytest.fixture(autouse=True)
def fast_retries(app):
    app.config.update(HERALD_RETRY_BACKOFF=0.01, HERALD_RETRY_MAX_TIME=30)


def enqueue_for(contact_point: ContactPoint, body: dict | None = None) -> list[Notification]:
    rows = outbox.enqueue(contact_point, group_from_dict(body or webhook_body()))
    db.session.commit()
    return rows


def attempts() -> list[DeliveryAttempt]:
    return list(db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)))


def statuses() -> list[str]:
    db.session.expire_all()
    return [n.status for n in db.session.scalars(select(Notification).order_by(Notification.id))]


def hook(httpserver, handler=None, path="/hook") -> tuple[str, dict]:
    if handler is None:
        httpserver.expect_request(path).respond_with_data("ok")
    else:
        httpserver.expect_request(path).respond_with_handler(handler)
    return ("webhook", {"url": httpserver.url_for(path)})


def test_server_errors_are_retried_until_delivered(app, httpserver, make_contact_point):
    contact_point = make_contact_point("ops", [hook(httpserver, answers(503, 502))])
    enqueue_for(contact_point)

    drain(app)

    assert len(httpserver.log) == 3
    assert statuses() == [SENT]
    rows = attempts()
    assert [(a.outcome, a.status_code) for a in rows] == [
        ("failure", 503), ("failure", 502), ("success", 200)]
    assert rows[0].error == "HTTP 503: boom (attempt 1 of 3; next in 0.01 s)"
    assert {a.notification_id for a in rows} == {1}


def test_retries_stop_after_the_configured_attempts(app, httpserver, make_contact_point):
    contact_point = make_contact_point("ops", [hook(httpserver, answers(500, 500, 500, 500))])
    enqueue_for(contact_point)

    drain(app)

    assert len(httpserver.log) == 3
    assert statuses() == [FAILED]
    assert attempts()[-1].error == "HTTP 500: boom"


def test_client_errors_are_permanent_and_not_retried(app, httpserver, make_contact_point):
    contact_point = make_contact_point("ops", [hook(httpserver, answers(400, 400))])
    enqueue_for(contact_point)

    drain(app)

    assert len(httpserver.log) == 1
    assert statuses() == [FAILED]


def test_a_retry_sends_only_to_the_recipients_not_yet_reached(app, httpserver,
                                                               make_contact_point):
    sid = "AC" + "a1" * 16
    app.config["HERALD_TWILIO_API_URL"] = httpserver.url_for("/")
    first, second, third = "+14155550123", "+14155550124", "+14155550125"
    sent_to: list[str] = []

    def twilio(request: Request) -> Response:
        number = parse_qs(request.get_data(as_text=True))["To"][0]
        sent_to.append(number)
        if number == second and sent_to.count(second) == 1:
            return Response("busy", status=503)
        return Response('{"sid": "SM1"}', status=201, content_type="application/json")

    httpserver.expect_request(f"/2010-04-01/Accounts/{sid}/Messages.json").respond_with_handler(
        twilio)
    contact_point = make_contact_point("sms", [("twilio", {
        "account_sid": sid, "auth_token": "tok", "from": "+14155550100",
        "to": f"{first}, {second}, {third}"})])
    (row,) = enqueue_for(contact_point)

    Worker(app, threads=1).run_once()
    db.session.refresh(row)
    assert (row.status, row.parts_done) == (PENDING, [first])

    drain(app)

    assert sent_to == [first, second, second, third]
    assert statuses() == [SENT]
    assert [(a.outcome, a.error) for a in attempts()] == [
        ("failure", f"{second}: HTTP 503: busy (sent to 1 of 3 numbers, not sent again on a "
                    "retry) (attempt 1 of 3; next in 0.01 s)"),
        ("success", "")]
    # Once sent, the row keeps no parts: a real NULL, not JSON's null.
    assert db.session.scalar(select(Notification.id).where(
        Notification.parts_done.is_(None))) == row.id


def test_retry_after_schedules_the_next_attempt(app, httpserver, make_contact_point):
    contact_point = make_contact_point("ops", [
        hook(httpserver, answers(429, headers={"Retry-After": "7"}))])
    (row,) = enqueue_for(contact_point)
    before = utcnow()

    claimed = outbox.claim("w", 10, 60)
    deliver(claimed[0], "w")
    after = utcnow()

    db.session.refresh(row)
    assert row.status == PENDING
    # due 7 s after the answer came, which was between before and after
    assert before + timedelta(seconds=7) <= row.due_at <= after + timedelta(seconds=7)
    assert outbox.claim("w", 10, 60) == []  # not due yet


def test_retry_after_beyond_the_time_budget_fails_now(app, httpserver, make_contact_point):
    contact_point = make_contact_point("ops", [
        hook(httpserver, answers(429, headers={"Retry-After": "120"}))])
    enqueue_for(contact_point)

    drain(app)

    assert statuses() == [FAILED]
    assert len(httpserver.log) == 1


def test_a_receiver_down_then_up_gets_the_notification(app, make_contact_point):
    port = closed_port()
    app.config.update(HERALD_RETRY_ATTEMPTS=50, HERALD_RETRY_BACKOFF=0.05)
    contact_point = make_contact_point("ops", [
        ("webhook", {"url": f"http://127.0.0.1:{port}/hook"})])
    (row,) = enqueue_for(contact_point)
    worker = Worker(app, threads=1)
    worker.run_once()
    db.session.refresh(row)
    assert row.status == PENDING and row.attempts == 1

    open_port(port)
    with slow_receiver(0, port) as server:  # the receiver comes up
        drain(app)

    assert server.count == 1
    assert statuses() == [SENT]


def test_final_failure_goes_to_the_fallback_once(app, httpserver, make_contact_point):
    backup = make_contact_point("backup", [hook(httpserver, path="/backup")])
    primary = make_contact_point("primary", [hook(httpserver, answers(400), path="/a"),
                                             hook(httpserver, answers(404), path="/b")])
    primary.fallback_id = backup.id
    db.session.commit()
    enqueue_for(primary)

    drain(app)

    paths = sorted(request.path for request, _ in httpserver.log)
    assert paths == ["/a", "/b", "/backup"]
    rows = list(db.session.scalars(select(Notification).order_by(Notification.id)))
    assert [(n.contact_point_name, n.status, n.source) for n in rows] == [
        ("primary", FAILED, "webhook"), ("primary", FAILED, "webhook"),
        ("backup", SENT, "fallback")]
    assert rows[2].fallback_of_id in (rows[0].id, rows[1].id)


def test_no_fallback_while_one_integration_succeeded(app, httpserver, make_contact_point):
    backup = make_contact_point("backup", [hook(httpserver, path="/backup")])
    primary = make_contact_point("primary", [hook(httpserver, answers(400), path="/a"),
                                             hook(httpserver, path="/b")])
    primary.fallback_id = backup.id
    db.session.commit()
    enqueue_for(primary)

    drain(app)

    assert "/backup" not in [request.path for request, _ in httpserver.log]


def test_a_fallback_that_fails_does_not_fall_back_again(app, httpserver, make_contact_point):
    first = make_contact_point("first", [hook(httpserver, answers(400), path="/a")])
    second = make_contact_point("second", [hook(httpserver, answers(400), path="/b")])
    first.fallback_id, second.fallback_id = second.id, first.id
    db.session.commit()
    enqueue_for(first)

    drain(app)

    assert sorted(request.path for request, _ in httpserver.log) == ["/a", "/b"]


def test_a_row_whose_worker_died_is_claimed_again_after_its_lease(app, httpserver,
                                                                   make_contact_point):
    contact_point = make_contact_point("ops", [hook(httpserver)])
    enqueue_for(contact_point)
    assert outbox.claim("dead-worker", 10, 60) == [1]
    assert outbox.claim("other", 10, 60) == []  # held by its lease

    db.session.execute(update(Notification).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()

    assert outbox.claim("other", 10, 60) == [1]
    assert deliver(1, "dead-worker") is None  # the dead worker lost it: it sends nothing
    assert deliver(1, "other") == SENT
    assert len(httpserver.log) == 1


def test_one_claim_takes_expired_leases_first_then_due_rows_up_to_its_limit(
        app, make_contact_point):
    contact_point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/"})])
    for _ in range(5):
        enqueue_for(contact_point)
    assert outbox.claim("dead-worker", 2, 60) == [1, 2]
    db.session.execute(update(Notification).where(Notification.id.in_([1, 2]))
                       .values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()

    assert outbox.claim("other", 3, 60) == [1, 2, 3]
    assert outbox.claim("other", 3, 60) == [4, 5]
    assert outbox.claim("other", 3, 60) == []
    held = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(row.claimed_by, row.attempts) for row in held] == [
        ("other", 2), ("other", 2), ("other", 1), ("other", 1), ("other", 1)]


def test_claiming_walks_the_due_index_instead_of_sorting_the_backlog(app, make_contact_point):
    """Each claim statement reads rows in due order from the index and stops at its limit;
    sorting every due row on each claim made draining a backlog quadratic."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plan")
    contact_point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/"})])
    enqueue_for(contact_point)
    statements = []

    def keep(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE notification"):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert outbox.claim("w", 32, 60) == [1]
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)

    assert len(statements) == 2  # expired leases, then due rows
    for statement, parameters in statements:
        plan = " / ".join(row[3] for row in db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters))
        assert "ix_notification_due" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    db.session.rollback()


def test_concurrent_claims_never_share_a_row(app, make_contact_point):
    contact_point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/"})] * 5)
    for _ in range(40):
        outbox.enqueue(contact_point, group_from_dict(webhook_body()))
    db.session.commit()
    barrier = threading.Barrier(4, timeout=30)  # a thread that fails breaks it, not hangs it
    claimed: dict[str, list[int]] = {}

    def claim_all(name: str) -> None:
        with app.app_context():
            barrier.wait()
            mine = list(outbox.claim(name, 7, 60))
            barrier.wait()  # every thread has claimed once before any claims again
            while ids := outbox.claim(name, 7, 60):
                mine += ids
            claimed[name] = mine

    threads = [threading.Thread(target=claim_all, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    every = [row for ids in claimed.values() for row in ids]
    assert sorted(every) == list(range(1, 201))  # each row exactly once
    assert all(claimed[f"w{n}"] for n in range(4))  # the claims really interleaved


def test_worker_threads_deliver_side_by_side(app, make_contact_point):
    # One group to four integrations: one claim takes all four rows (the default batch),
    # and the pool's four threads send them at the same time.
    with slow_receiver(0, gate=4) as receiver:
        contact_point = make_contact_point("ops", [("webhook", {"url": receiver.url})] * 4)
        enqueue_for(contact_point)
        worker = Worker(app, threads=4, poll=0.05).start()
        try:
            worker.wake()
            deadline = threading.Event()
            for _ in range(400):
                if receiver.count == 4:
                    break
                deadline.wait(0.05)
        finally:
            assert worker.stop(10)
    assert receiver.count == 4
    assert receiver.most_in_flight == 4


def test_a_provider_that_hangs_holds_up_only_its_own_notification(app, httpserver,
                                                                  make_contact_point):
    with hanging_receiver() as hanging:
        contact_point = make_contact_point("ops", [
            ("webhook", {"url": hanging.url}), hook(httpserver, path="/a"),
            hook(httpserver, path="/b")])
        enqueue_for(contact_point)  # the hanging integration's row comes first
        worker = Worker(app, threads=4, poll=0.05).start()
        try:
            worker.wake()
            wait_for(lambda: len(httpserver.log) == 2, 10, "the two other integrations")
            still_hanging = not hanging.answered.is_set()
        finally:
            hanging.release.set()
            assert worker.stop(10)
    assert still_hanging and hanging.answered.is_set()
    assert sorted(request.path for request, _ in httpserver.log) == ["/a", "/b"]
    assert statuses() == [SENT] * 3


def test_stopping_lets_sends_in_flight_finish(app, make_contact_point):
    with slow_receiver(0.5) as receiver:
        contact_point = make_contact_point("ops", [("webhook", {"url": receiver.url})])
        enqueue_for(contact_point)
        worker = Worker(app, threads=1, poll=0.05).start()
        worker.wake()
        for _ in range(200):
            if receiver.in_flight:
                break
            threading.Event().wait(0.02)

        assert worker.stop(10)

    assert receiver.count == 1
    assert statuses() == [SENT]


def test_stopping_hands_back_claimed_rows_no_thread_took(app, make_contact_point):
    # One thread, three rows claimed together: the first is in flight when the pool stops,
    # the other two wait in the pool's queue and go back to the outbox, due at once.
    with hanging_receiver() as hanging:
        contact_point = make_contact_point("ops", [("webhook", {"url": hanging.url})] * 3)
        enqueue_for(contact_point)
        worker = Worker(app, threads=1, poll=0.05).start()
        worker.wake()
        wait_for(lambda: hanging.requests == 1, 10, "the first row's request")
        stopped = threading.Thread(target=worker.stop, args=(10,))
        stopped.start()
        wait_for(lambda: worker.stopping, 10, "the pool to stop claiming")
        hanging.release.set()
        stopped.join(10)

    assert statuses() == [SENT, PENDING, PENDING]
    db.session.expire_all()
    back = db.session.scalars(select(Notification).where(Notification.status == PENDING)).all()
    assert all(row.claimed_by == "" and row.attempts == 0 for row in back)
    assert hanging.requests == 1


def test_a_claim_that_crosses_the_stop_is_handed_back_unsent(app, httpserver,
                                                               make_contact_point, monkeypatch):
    contact_point = make_contact_point("ops", [hook(httpserver)] * 2)
    enqueue_for(contact_point)
    worker = Worker(app, threads=1, poll=0.05)
    real_claim = outbox.claim_rows

    def claim_then_stop(*args, **kwargs):
        rows = real_claim(*args, **kwargs)
        worker._stopping.set()  # SIGTERM arrives while the claim is on its way back
        return rows

    monkeypatch.setattr(outbox, "claim_rows", claim_then_stop)
    worker.start()
    worker.wake()
    assert worker.stop(10)

    assert httpserver.log == []
    assert statuses() == [PENDING, PENDING]


def test_a_deleted_integration_fails_its_notification_in_words(app, httpserver,
                                                              make_contact_point):
    contact_point = make_contact_point("ops", [hook(httpserver)])
    enqueue_for(contact_point)
    db.session.delete(contact_point.integrations[0])
    db.session.commit()

    drain(app)

    assert statuses() == [FAILED]
    assert attempts()[0].error == "The integration was deleted before the notification was sent."


def test_history_keeps_the_request_with_secrets_redacted(app, httpserver, make_contact_point):
    httpserver.expect_request("/hook").respond_with_json({"ok": True}, status=201)
    contact_point = make_contact_point("ops", [("webhook", {
        "url": httpserver.url_for("/hook"), "authorization_credentials": "s3cr3t-t0ken",
        "hmacConfig.secret": "hmac-key-value"})])
    enqueue_for(contact_point)

    drain(app)

    (attempt,) = attempts()
    assert attempt.request["method"] == "POST"
    assert attempt.request["url"] == httpserver.url_for("/hook")
    assert attempt.request["headers"]["Authorization"] == "Bearer [REDACTED]"
    assert json.loads(attempt.request["body"])["receiver"] == "ops"
    assert attempt.response["status"] == 201
    assert json.loads(attempt.response["body"]) == {"ok": True}
    assert "s3cr3t-t0ken" not in str(attempt.request)
    assert attempt.alert_names == "DiskFull" and attempt.group_status == "firing"


def test_secret_urls_are_redacted_in_the_history(app, httpserver, make_contact_point):
    httpserver.expect_request("/services/T0/B0/xyzzy-secret").respond_with_data("ok")
    contact_point = make_contact_point("ops", [("slack", {
        "url": httpserver.url_for("/services/T0/B0/xyzzy-secret")})])
    enqueue_for(contact_point)

    drain(app)

    (attempt,) = attempts()
    assert attempt.outcome == "success", attempt.error
    assert attempt.request["url"] == "[REDACTED]"
    assert "xyzzy-secret" not in str(attempt.request) + str(attempt.response)


def test_waiting_counts_pending_and_sending(app, make_contact_point):
    contact_point = make_contact_point("ops", [("webhook", {"url": "http://127.0.0.1:9/"})])
    enqueue_for(contact_point)
    outbox.claim("w", 1, 60)
    assert waiting() == 1
    assert statuses() == [SENDING]


def test_one_batch_is_sent_and_recorded_together(app, httpserver, make_contact_point):
    contact_point = make_contact_point("ops", [hook(httpserver), hook(httpserver, path="/b")])
    for number in range(5):
        enqueue_for(contact_point, webhook_body(alert(f"Alert{number}")))

    rows = outbox.claim_rows("w", 32, 60)
    outcomes = deliver_rows(rows, "w")

    assert len(rows) == 10 and [o.status for o in outcomes] == [SENT] * 10
    assert statuses() == [SENT] * 10
    assert sorted(a.notification_id for a in attempts()) == [row.id for row in rows]
    assert len(httpserver.log) == 10


def test_rows_whose_lease_would_run_out_are_handed_back(app, httpserver, make_contact_point):
    # A lease shorter than two request timeouts: only the first row may still be sent.
    app.config.update(HERALD_HTTP_TIMEOUT=1)
    contact_point = make_contact_point("ops", [hook(httpserver)])
    for _ in range(3):
        enqueue_for(contact_point)

    rows = outbox.claim_rows("w", 32, 0.5)
    outcomes = deliver_rows(rows, "w")

    assert [o.status for o in outcomes] == [SENT]
    assert len(httpserver.log) == 1
    db.session.expire_all()
    back = db.session.scalars(select(Notification).where(Notification.status == PENDING)).all()
    assert sorted(row.id for row in back) == [rows[1].id, rows[2].id]
    assert all(row.claimed_by == "" and row.attempts == 0 for row in back)
    assert outbox.claim("other", 32, 60) == [rows[1].id, rows[2].id]  # due again at once


def test_group_timers_wake_the_housekeeping_thread(app, client, token, make_contact_point):
    """With a poll of an hour, only the intake's wake-up and the group's own timer can
    get a policy's notification out."""
    app.config["HERALD_HTTP_TIMEOUT"] = 5
    with slow_receiver(0) as receiver:
        make_contact_point("Ops", [("webhook", {"url": receiver.url})])
        save_tree(replace(default_spec("Ops"), group_wait=1))
        db.session.commit()
        worker = Worker(app, threads=1, poll=3600, ticks=(flush_groups,),
                        next_tick_in=next_flush_in)
        app.extensions["herald.worker"] = worker.start()
        try:
            fresh = {**alert("A"), "startsAt": utcnow().isoformat() + "Z"}  # waits its group_wait
            answer = client.post("/api/v1/webhook/alertmanager", json=webhook_body(fresh),
                                 headers=token("sender"))
            assert answer.status_code == 202
            wait_for(lambda: receiver.count >= 1, 20, "the policy's notification")
        finally:
            app.extensions.pop("herald.worker")
            worker.stop(10)
    assert json.loads(receiver.bodies[0])["alerts"][0]["labels"]["alertname"] == "A"
