"""Content-Security-Policy: the policy every response gets is in settings
(CONTENT_SECURITY_POLICY); this lets a standalone document (a printable plan, release notes as
HTML) keep its one <style> element, allowed by the hash of exactly that stylesheet."""

import base64
import hashlib

from csp.decorators import csp_update


def style_source(css: str) -> str:
    """The CSP source that allows a <style> element with exactly this text."""
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def allow_style(css: str):
    """A view decorator: the response may carry a <style> element with exactly this text."""
    return csp_update({"style-src": [style_source(css)]})
