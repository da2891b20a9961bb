"""Twilio Messages API: one form-encoded POST per number, basic auth with SID and token."""
from __future__ import annotations

import base64
from urllib.parse import parse_qs

import pytest

from app.integrations import REGISTRY
from app.integrations.base import validate

SID = "AC" + "a1" * 16
PATH = f"/2010-04-01/Accounts/{SID}/Messages.json"
SETTINGS = {"account_sid": SID, "auth_token": "tok", "from": "+14155550100",
            "message": "Disk full"}


@pytest.fixture
def twilio_api(app, httpserver):
    app.config["HERALD_TWILIO_API_URL"] = httpserver.url_for("/")
    return httpserver


def forms(server) -> list[dict[str, str]]:
    return [{k: v for k, (v,) in parse_qs(request.get_data(as_text=True)).items()}
            for request, _ in server.log]


def test_one_message_per_number_with_basic_auth(twilio_api, deliver, firing):
    twilio_api.expect_request(PATH, method="POST").respond_with_json(
        {"sid": "SM1", "status": "queued"}, status=201)

    result = deliver("twilio", {**SETTINGS, "to": "+14155550123\n+447700900123"}, firing)

    assert (result.outcome, result.status_code) == ("success", 201)
    expected = base64.b64encode(f"{SID}:tok".encode()).decode()
    for request, _ in twilio_api.log:
        assert request.headers["Authorization"] == f"Basic {expected}"
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert forms(twilio_api) == [
        {"To": "+14155550123", "Body": "Disk full", "From": "+14155550100"},
        {"To": "+447700900123", "Body": "Disk full", "From": "+14155550100"}]


def test_messaging_service_sender_and_long_body_cut(twilio_api, deliver, firing):
    twilio_api.expect_request(PATH).respond_with_json({"sid": "SM1"}, status=201)
    service = "MG" + "0" * 32

    deliver("twilio", {**SETTINGS, "from": service, "to": "+14155550123",
                       "message": "x" * 2000}, firing)

    (form,) = forms(twilio_api)
    assert form["MessagingServiceSid"] == service and "From" not in form
    assert form["Body"] == "x" * 1599 + "…"


def test_twilio_error_message_is_shown(twilio_api, deliver, firing):
    twilio_api.expect_request(PATH).respond_with_json(
        {"code": 21211, "message": "The 'To' number +15005550001 is not a valid phone number.",
         "status": 400}, status=400)

    result = deliver("twilio", {**SETTINGS, "to": "+15005550001"}, firing)

    assert result.outcome == "failure"
    assert result.error == "HTTP 400: The 'To' number +15005550001 is not a valid phone number."


def test_numbers_and_sid_are_checked():
    errors = validate(REGISTRY["twilio"], {**SETTINGS, "account_sid": "AC1",
                                           "from": "0123", "to": "+1415, 555"})
    assert errors["account_sid"].startswith("Account SID must be AC")
    assert errors["from"].startswith("From must be a number like +14155550100")
    assert errors["to"] == ("Not a number in E.164 form (like +14155550100): 555")


def test_failure_after_a_first_number_says_who_already_got_it(twilio_api, deliver, firing):
    twilio_api.expect_oneshot_request(PATH).respond_with_json({"sid": "SM1"}, status=201)
    twilio_api.expect_oneshot_request(PATH).respond_with_json(
        {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}, status=400)

    result = deliver("twilio", {**SETTINGS, "to": "+14155550123, +14155550124"}, firing)

    assert result.error == ("+14155550124: HTTP 400: Attempt to send to unsubscribed recipient "
                            "(sent to 1 of 2 numbers)")
    assert result.permanent is True
    assert result.done == frozenset({"+14155550123"})


def test_a_refused_number_does_not_stop_the_numbers_after_it(twilio_api, deliver, firing):
    twilio_api.expect_oneshot_request(PATH).respond_with_json(
        {"message": "The 'To' number +14155550123 is not a valid phone number."}, status=400)
    twilio_api.expect_oneshot_request(PATH).respond_with_json(
        {"message": "Attempt to send to unsubscribed recipient"}, status=400)
    twilio_api.expect_oneshot_request(PATH).respond_with_json({"sid": "SM3"}, status=201)

    result = deliver("twilio", {**SETTINGS, "to": "+14155550123, +14155550124, +14155550125"},
                     firing)

    assert [form["To"] for form in forms(twilio_api)] == [
        "+14155550123", "+14155550124", "+14155550125"]
    assert result.error == ("+14155550123: HTTP 400: The 'To' number +14155550123 is not a "
                            "valid phone number.; also refused: +14155550124 "
                            "(sent to 1 of 3 numbers)")
    assert result.permanent is True
    assert result.done == frozenset({"+14155550125"})


def test_a_transient_failure_stops_the_send_and_leaves_the_rest_to_the_retry(
        twilio_api, deliver, firing):
    twilio_api.expect_oneshot_request(PATH).respond_with_json({"sid": "SM1"}, status=201)
    twilio_api.expect_oneshot_request(PATH).respond_with_data("busy", status=503)

    result = deliver("twilio", {**SETTINGS, "to": "+14155550123, +14155550124, +14155550125"},
                     firing)

    assert [form["To"] for form in forms(twilio_api)] == ["+14155550123", "+14155550124"]
    assert result.error == ("+14155550124: HTTP 503: busy (sent to 1 of 3 numbers, not sent "
                            "again on a retry)")
    assert result.permanent is False
    assert result.done == frozenset({"+14155550123"})
