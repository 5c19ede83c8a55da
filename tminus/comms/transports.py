"""Getting a rendered message out: email over SMTP, a Slack-compatible webhook, a JSON webhook.

Each sender returns the server's answer as text, or raises SendFailed saying whether trying again
later could help (a refused address or a 404 will not get better; a timeout or a 503 may).
"""

import json
import smtplib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from tminus.comms.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

ANSWER_LIMIT = 500


class SendFailed(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        # A redirected POST would lose its body; the 3xx is reported instead of followed.
        return None


_opener = urllib.request.build_opener(_NoRedirects)


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
    request = urllib.request.Request(
        url, data=body, method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "T-Minus", **headers},
    )
    try:
        with _opener.open(request, timeout=settings.COMMS_WEBHOOK_TIMEOUT) as response:
            answer = response.read(ANSWER_LIMIT).decode(errors="replace")
            return f"HTTP {response.status} {answer}".strip()
    except urllib.error.HTTPError as error:
        answer = _read(error)
        # 4xx means the address or the payload is wrong and will stay wrong; 408 and 429 pass.
        permanent = 400 <= error.code < 500 and error.code not in (408, 429)
        if 300 <= error.code < 400:
            permanent = True
            answer = f"redirects to {error.headers.get('Location', '?')}; use that address."
        raise SendFailed(f"HTTP {error.code} from {url}: {answer}".strip(),
                         permanent=permanent) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SendFailed(f"Could not reach {url}: {reason}") from None


def _read(error: urllib.error.HTTPError) -> str:
    try:
        return error.read(ANSWER_LIMIT).decode(errors="replace")
    except Exception:
        return ""
