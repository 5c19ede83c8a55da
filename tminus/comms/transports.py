"""Getting a rendered message out: email over SMTP, a Slack-compatible webhook, a JSON webhook.

Each sender returns the server's answer as text, or raises SendFailed saying whether trying again
later could help (a refused address or a 404 will not get better; a timeout or a 503 may).
"""

import json
import smtplib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from tminus.comms.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from tminus.core.outbound import OutboundRefused, fetch, masked_url

ANSWER_LIMIT = 500


class SendFailed(Exception):
    def __init__(self, message: str, *, permanent: bool = False, reply: str = ""):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.reply = reply  # what the server answered; shown to admins only


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    subject: str
    body: str
    recipient: str


def email_send(outgoing: Outgoing) -> str:
    """Send one mail through the configured SMTP server; returns its reply to DATA."""
    mail = EmailMessage(subject=outgoing.subject, body=outgoing.body,
                        from_email=settings.DEFAULT_FROM_EMAIL, to=[outgoing.recipient],
                        headers={"X-TMinus-Delivery": str(outgoing.delivery_id)})
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
        try:
            reply = _capture_data_reply(connection)
            sent = connection.send_messages([mail])
        finally:
            connection.close()
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise SendFailed(f"SMTP refused {outgoing.recipient}: {code} {_text(text)}",
                         permanent=code >= 500) from None
    except smtplib.SMTPResponseException as error:
        raise SendFailed(f"SMTP error {error.smtp_code}: {_text(error.smtp_error)}",
                         permanent=error.smtp_code >= 500) from None
    except (smtplib.SMTPException, OSError) as error:
        raise SendFailed(f"SMTP server {settings.EMAIL_HOST}:{settings.EMAIL_PORT} "
                         f"unreachable: {error}") from None
    if not sent:
        raise SendFailed("The mail backend did not accept the message.")
    return reply.get("text") or "accepted"


def _capture_data_reply(connection) -> dict:
    # smtplib's sendmail drops the server's reply to DATA (its queue id, "250 OK ..."); keep it
    # so the delivery records what the server said.
    reply: dict = {}
    smtp = getattr(connection, "connection", None)
    if smtp is None:
        return reply
    original = smtp.data

    def data(message):
        code, text = original(message)
        reply["text"] = f"{code} {_text(text)}"
        return code, text

    smtp.data = data
    return reply


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def slack_post(url: str, outgoing: Outgoing) -> str:
    """Post {"text": ...} to a Slack-compatible incoming webhook."""
    text = f"*{outgoing.subject}*\n\n{outgoing.body}" if outgoing.subject else outgoing.body
    return _post(url, json.dumps({"text": text}).encode(), {})


def webhook_post(url: str, payload: dict, secret: str | None) -> str:
    """Post the message and release data as JSON, signed when the channel has a secret."""
    body = json.dumps(payload, default=str).encode()
    headers = {"X-TMinus-Delivery": str(payload.get("delivery_id", ""))}
    if secret:
        timestamp = str(int(time.time()))
        headers[TIMESTAMP_HEADER] = timestamp
        headers[SIGNATURE_HEADER] = signature(secret, timestamp, body)
    return _post(url, body, headers)


def _post(url: str, body: bytes, headers: dict) -> str:
    # The address is checked again now and the connection goes to the checked address; a 3xx is
    # reported, not followed (a redirected POST would lose its body).
    where = masked_url(url)
    try:
        response = fetch("POST", url, body=body, timeout=settings.COMMS_WEBHOOK_TIMEOUT,
                         headers={"Content-Type": "application/json", **headers},
                         limit=ANSWER_LIMIT)
    except OutboundRefused as refused:
        raise SendFailed(refused.message, permanent=True) from None
    except OSError as error:
        raise SendFailed(f"Could not reach {where}: {error}") from None
    reply = f"HTTP {response.status} {response.text()}".strip()
    if response.status < 300:
        return reply
    # 4xx means the address or the payload is wrong and will stay wrong; 408 and 429 pass.
    permanent = 300 <= response.status < 500 and response.status not in (408, 429)
    problem = f"HTTP {response.status} from {where}"
    if 300 <= response.status < 400:
        problem += "; it redirects elsewhere: save the address it redirects to"
        reply += f" (Location: {response.headers.get('location', '?')})"
    raise SendFailed(problem + ".", permanent=permanent, reply=reply)
