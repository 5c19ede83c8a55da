"""Webhook signing secrets: kept encrypted at rest, used to sign each post with HMAC-SHA256.

A signing secret must be read back for every post, so it cannot be hashed like an API token. It is
encrypted with a key derived from TMINUS_SECRET_KEY (Fernet: AES-128-CBC with an HMAC-SHA256
tag). Changing TMINUS_SECRET_KEY makes stored secrets unreadable; a channel then reports that its
secret must be set again.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SIGNATURE_HEADER = "X-TMinus-Signature"
TIMESTAMP_HEADER = "X-TMinus-Timestamp"


class SecretUnreadable(Exception):
    """The stored secret was encrypted with another TMINUS_SECRET_KEY."""


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tminus.comms",
               info=b"webhook signing secrets").derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def secret_encrypt(secret: str) -> str:
    """The secret, encrypted for storage."""
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    """The stored secret in clear, for signing."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "The channel's signing secret cannot be read (was TMINUS_SECRET_KEY changed?); "
            "set the secret again on the channel."
        ) from None


def secret_hint(secret: str) -> str:
    """The last four characters, so a person can tell which secret is set."""
    return secret[-4:] if len(secret) >= 12 else ""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` over `<timestamp>.<body>`; the timestamp lets receivers refuse replays."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()
