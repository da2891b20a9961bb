"""Twilio: an SMS to each recipient through the Programmable Messaging API."""
from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlencode

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    SendError,
    Sent,
    Values,
    cut_text,
    split_addresses,
)
from app.transport import http
from app.transport.errors import partly_sent

# https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
# A message body is at most 1,600 characters.
API_URL = "https://api.twilio.com"
MAX_BODY = 1600
E164_RE = re.compile(r"^\+[1-9][0-9]{1,14}$")
ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-fA-F]{32}$")
MESSAGING_SERVICE_RE = re.compile(r"^MG[0-9a-fA-F]{32}$")


def numbers(values: Values) -> list[str]:
    return split_addresses(values.get("to") or "")


def check_numbers(values: Values) -> Iterable[tuple[str, str]]:
    """Numbers in E.164 form (+ and the country code); From may be a Messaging Service."""
    if values.get("account_sid") and not ACCOUNT_SID_RE.match(values["account_sid"]):
        yield "account_sid", "Account SID must be AC followed by 32 hexadecimal digits."
    sender = values.get("from") or ""
    if sender and not (E164_RE.match(sender) or MESSAGING_SERVICE_RE.match(sender)):
        yield "from", "From must be a number like +14155550100 or a Messaging Service SID (MG...)."
    bad = [number for number in numbers(values) if not E164_RE.match(number)]
    if bad:
        yield "to", f"Not a number in E.164 form (like +14155550100): {', '.join(bad[:3])}"


def form(ctx: SendContext, number: str) -> dict[str, str]:
    """The Create Message parameters for one recipient."""
    sender = ctx.values["from"]
    fields = {"To": number, "Body": cut_text(ctx.text("message"), MAX_BODY)}
    # A Messaging Service picks the sending number itself.
    fields["MessagingServiceSid" if sender.startswith("MG") else "From"] = sender
    return fields


def send(ctx: SendContext) -> Sent:
    """One request per recipient, authenticated with the account SID and auth token.

    A number that earlier attempts reached is not sent to again. A number Twilio refuses
    for good (a 4xx) does not stop the others; a transient failure stops the send, as the
    numbers after it would likely fail the same way, and a retry sends to those not reached.
    """
    base = (ctx.config.get("HERALD_TWILIO_API_URL") or API_URL).rstrip("/")
    sid = ctx.values["account_sid"]
    url = f"{base}/2010-04-01/Accounts/{quote(sid, safe='')}/Messages.json"
    recipients = numbers(ctx.values)
    done = set(ctx.done)
    refused: list[tuple[str, SendError]] = []
    status = None
    for number in recipients:
        if number in done:
            continue
        try:
            answer = http.request(
                "POST", url, data=urlencode(form(ctx, number)),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                auth=(sid, ctx.values["auth_token"]),
            )
        except SendError as error:
            if not error.permanent:
                raise _partial(number, error, recipients, done, refused) from None
            refused.append((number, error))
            continue
        done.add(number)
        status = answer.status
    if refused:
        number, error = refused[0]
        raise _partial(number, error, recipients, done, refused[1:])
    return Sent(status)


def _partial(number: str, error: SendError, recipients: list[str], done: set[str],
             refused: list[tuple[str, SendError]]) -> SendError:
    """The error of one number, saying who else was refused and who got the message."""
    if len(recipients) == 1:
        return error
    detail = f"{number}: {error.message}"
    if refused:
        detail += f"; also refused: {', '.join(other for other, _ in refused)}"
    permanent = error.permanent and all(other.permanent for _, other in refused)
    return partly_sent(error, detail, done, recipients, "numbers", permanent=permanent)


def summary(values: Values) -> str:
    count = len(numbers(values))
    return f"SMS to {count} number{'s' if count != 1 else ''}" if count else ""


INTEGRATION = IntegrationType(
    type="twilio",
    label="Twilio SMS",
    description="Sends an SMS to each number through Twilio.",
    fields=(
        Field("account_sid", "Account SID", required=True,
              placeholder="ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        Field("auth_token", "Auth token", required=True, secret=True),
        Field("from", "From", required=True, placeholder="+14155550100",
              help="A Twilio number of the account, or a Messaging Service SID (MG...)."),
        Field("to", "To", element="textarea", required=True, placeholder="+14155550123",
              help="Numbers in E.164 form, separated by commas or new lines."),
        Field("message", "Message", element="textarea", template="default.title",
              help=f"Templated text of the SMS, at most {MAX_BODY} characters."),
    ),
    rules=(check_numbers,),
    summary=summary,
    send=send,
    category="Email & SMS",
)
