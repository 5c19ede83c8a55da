"""Human-readable keys such as `shop-1.0`: lower-case letters, digits, dots and dashes."""

import re

from django.core.validators import RegexValidator

KEY_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
key_validator = RegexValidator(KEY_PATTERN, "Use lower-case letters, digits, dots and dashes.")


def make_key(text: str, max_length: int = 70) -> str:
    """A key from free text: 'Shop 1.0' becomes 'shop-1.0'."""
    key = re.sub(r"[^a-z0-9.]+", "-", (text or "").lower()).strip("-.")
    return key[:max_length].rstrip("-.")
