"""What every new release gets for its close-out, unless its template says otherwise."""

# Seed 004's post-launch questions.
REVIEW_QUESTIONS = [
    "How do the KPIs you gathered compare to your pre-launch definition(s) of \"success\"?",
    "What qualitative feedback have you gathered from users or other stakeholders?",
    "Which assumptions you listed in your product outline were/were not validated?",
    "How might your product evolve now or in the future based on these results?",
    "What technical tasks are needed to clean up (i.e., removal of feature toggles)?",
]

# Seed 003's final sign-off.
SIGNOFF_ROLES = ["Project Manager", "Technical Lead", "Product Owner", "Business Sponsor"]
SMALL_RELEASE_SIGNOFF_ROLES = ["Project Manager", "Technical Lead"]

# Seed 003's "Project Handoff", due at the end of the first month.
HANDOFF_TITLE = "Project Handoff"
HANDOFF_GROUP = "Project Closure"
HANDOFF_DUE = "T+30d"
HANDOFF_ITEMS = [
    "Code ownership transferred to maintenance team",
    "Documentation handed over",
    "Support procedures established",
    "On-call rotation setup",
    "Knowledge transfer completed",
]

# Patches and hotfixes are handed off with their parent release, so they get no handoff list.
SMALL_RELEASE_TYPES = ("patch", "hotfix")


def closeout_defaults(release_type: str) -> dict:
    """The close-out part of a template for a release type."""
    small = release_type in SMALL_RELEASE_TYPES
    return {
        "questions": list(REVIEW_QUESTIONS),
        "signoff_roles": list(SMALL_RELEASE_SIGNOFF_ROLES if small else SIGNOFF_ROLES),
        "handoff": [] if small else list(HANDOFF_ITEMS),
        "kpis": [],
    }
