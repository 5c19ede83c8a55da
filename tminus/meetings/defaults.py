"""The meetings a new major release starts with: seed 003's training plan and its reviews.

Dates are offsets from go-live (training two weeks before, reviews a week and a month after),
so they move when go-live moves. A saved template carries its own list under
definition["meetings"]: {"kind", "title", "at" (T-offset), "time" ("10:00"), "duration_minutes",
"audience", "topics" (list), "agenda" (list), "roles" (list of attendee roles)}.
"""

REVIEW_ROLES = ["Project Manager", "Technical Lead", "Product Owner", "Support Lead"]

# Seed 003 names its own screens (creating laybys, recording payments); the defaults say the
# same in words that fit any release.
_USER_TOPICS = ["Creating new records", "Recording day-to-day changes", "Managing status",
                "Viewing reports", "Best practices", "Q&A"]

MAJOR_MEETINGS = [
    {"kind": "training", "title": "Admin training", "at": "T-14d", "time": "10:00",
     "duration_minutes": 120, "audience": "System administrators, managers",
     "topics": ["Overview of the release", "System configuration and business rules",
                "User permission setup", "Automation configuration",
                "Reporting and analytics", "Troubleshooting"]},
    {"kind": "training", "title": "User training - session 1", "at": "T-13d", "time": "10:00",
     "duration_minutes": 90, "audience": "Staff who will use the feature",
     "topics": _USER_TOPICS},
    {"kind": "training", "title": "User training - session 2", "at": "T-13d", "time": "14:00",
     "duration_minutes": 90, "audience": "Staff who will use the feature",
     "topics": _USER_TOPICS},
    {"kind": "training", "title": "Support training", "at": "T-12d", "time": "10:00",
     "duration_minutes": 60, "audience": "Support team",
     "topics": ["Common user issues", "Troubleshooting procedures", "Escalation process",
                "Support resources"]},
    {"kind": "review", "title": "Week 1 review meeting", "at": "T+7d", "time": "10:00",
     "duration_minutes": 60, "roles": REVIEW_ROLES,
     "agenda": ["Review deployment success", "Review user adoption metrics",
                "Discuss issues encountered", "Review support tickets",
                "Gather user feedback", "Identify improvements", "Plan next steps"]},
    {"kind": "review", "title": "Monthly review meeting", "at": "T+30d", "time": "10:00",
     "duration_minutes": 60, "roles": REVIEW_ROLES,
     "agenda": ["Review first month performance", "Analyze user adoption",
                "Review support data", "Discuss user feedback", "Identify enhancements",
                "Plan phase 2 features", "Celebrate success"]},
]


def default_meetings(definition: dict) -> list[dict]:
    """The meetings for a template: its own when it has them, else those of its type."""
    own = definition.get("meetings")
    if own is not None:
        return own
    return MAJOR_MEETINGS if definition.get("release_type") == "major" else []
