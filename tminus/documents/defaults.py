"""The documents and links a new release starts with, by release type (seed 003).

A saved template carries its own under definition["documents"]:
{"documents": [{"kind", "title", "due" (T-offset), "required"}], "links": [{"kind", "label"}]}.
"""

_DOCUMENTATION_DUE = "T-28d"  # seed 003: "4 Weeks Before Go-Live", Documentation

MAJOR = {
    "documents": [
        {"kind": "user_guide", "title": "User guide", "due": _DOCUMENTATION_DUE},
        {"kind": "admin_docs", "title": "Admin documentation", "due": _DOCUMENTATION_DUE},
        {"kind": "api_docs", "title": "API documentation", "due": _DOCUMENTATION_DUE},
        {"kind": "training_materials", "title": "Training materials",
         "due": _DOCUMENTATION_DUE},
        {"kind": "training_videos", "title": "Video tutorials", "due": _DOCUMENTATION_DUE,
         "required": False},
        {"kind": "faq", "title": "FAQ", "due": _DOCUMENTATION_DUE},
        {"kind": "troubleshooting", "title": "Troubleshooting guide", "due": _DOCUMENTATION_DUE},
    ],
    "links": [
        {"kind": "support_portal", "label": "Support portal"},
        {"kind": "dashboard", "label": "Monitoring dashboard"},
        {"kind": "issue_tracker", "label": "Issue tracker"},
    ],
}

MINOR = {
    "documents": [
        {"kind": "user_guide", "title": "User guide update", "due": "T-7d"},
        {"kind": "faq", "title": "FAQ update", "due": "T-7d"},
    ],
    "links": [],
}

DEFAULTS = {"major": MAJOR, "minor": MINOR}


def default_documents(definition: dict) -> dict:
    """The documents and links for a template: its own, else those of its release type."""
    own = definition.get("documents")
    if own is not None:
        return own
    return DEFAULTS.get(definition.get("release_type", ""), {})
