"""Built-in message templates and the default communication plan per release type.

The two email templates of the Layby go-live plan (pre-launch and launch day) are kept with their
wording; its [Date] / [link] / [email] blanks became placeholders. The other templates follow that
plan's stakeholder communication schedule (T-28d "coming soon" ... "first month review").
"""

PRE_LAUNCH_BODY = """Dear {recipient_name},

We're excited to announce a new feature launching on {go_live}: {release_name}!

What is it?
{release_goal}

Key Features:
{features}

Training:
We'll be conducting training sessions on {training_dates}. Please register at {training_url}.

Documentation:
User guide available at {user_guide_url}

Questions?
Contact support at {support_email} or {support_phone}

Best regards,
{team_name}
"""

LAUNCH_DAY_BODY = """Dear {recipient_name},

Great news! {release_name} is now live and ready to use.

Get Started:
{getting_started}

Need Help?
- User Guide: {user_guide_url}
- Video Tutorials: {video_url}
- FAQ: {faq_url}
- Support: {support_email} or {support_phone}

We're here to help you succeed!

Best regards,
{team_name}
"""


def _update(what: str) -> str:
    return (f"Hello {{recipient_name}},\n\n{what}\n\nRelease: {{release_name}} "
            f"({{product}} {{version}})\nGo-live: {{go_live}}\nPlan: {{release_url}}\n\n"
            f"{{team_name}}\n")


TEMPLATES: dict[str, dict] = {
    "pre-launch": {
        "name": "Pre-launch announcement (coming soon)",
        "subject": "New Feature: {release_name} - Coming {go_live}",
        "body": PRE_LAUNCH_BODY,
    },
    "launch-day": {
        "name": "Launch day: it's live",
        "subject": "{release_name} is Now Live! 🎉",
        "body": LAUNCH_DAY_BODY,
    },
    "date-confirmed": {
        "name": "Go-live date confirmed",
        "subject": "Go-live date confirmed: {release_name} on {go_live}",
        "body": _update("The go-live date of {release_name} is confirmed: {go_live} "
                        "({days_to_go_live} days from today)."),
    },
    "final-preparation": {
        "name": "Final preparation update",
        "subject": "Final preparation: {release_name} goes live {go_live}",
        "body": _update("{release_name} goes live in {days_to_go_live} days. Final preparation "
                        "is under way: staging sign-off, support briefing and the deployment "
                        "runbook."),
    },
    "launches-soon": {
        "name": "Launches soon reminder",
        "subject": "Reminder: {release_name} launches {go_live}",
        "body": _update("A reminder that {release_name} launches in {days_to_go_live} days, "
                        "on {go_live}."),
    },
    "go-decision": {
        "name": "Go decision",
        "subject": "Go for {release_name}",
        "body": _update("The go/no-go meeting decided Go for {release_name}. Deployment is "
                        "planned for {go_live}."),
    },
    "deployment-starting": {
        "name": "Deployment starting (technical team)",
        "subject": "Deployment starting: {release_name}",
        "body": _update("The deployment of {release_name} is starting now. Keep the "
                        "communication channels open and watch the runbook: {release_url}"),
    },
    "deployment-finished": {
        "name": "Deployment finished (technical team)",
        "subject": "Deployment finished: {release_name}",
        "body": _update("The deployment of {release_name} has finished. Post-deployment "
                        "monitoring starts now."),
    },
    "first-day": {
        "name": "First day success update",
        "subject": "First day of {release_name}",
        "body": _update("{release_name} has completed its first day in production. Thank you "
                        "to everyone involved."),
    },
    "first-week": {
        "name": "First week going well",
        "subject": "{release_name}: first week going well",
        "body": _update("{release_name} has been live for {days_since_go_live} days and is "
                        "going well."),
    },
    "week-1-metrics": {
        "name": "Week 1 metrics report",
        "subject": "{release_name}: week 1 metrics",
        "body": _update("Week 1 of {release_name} is complete. The metrics and the review "
                        "notes are in the release plan."),
    },
    "first-month": {
        "name": "First month review",
        "subject": "{release_name}: first month review",
        "body": _update("{release_name} has been live for a month. The first month review "
                        "is in the release plan."),
    },
    "rolled-back": {
        "name": "Rollback notice",
        "subject": "Rolled back: {release_name}",
        "body": _update("{release_name} has been rolled back to the previous version. "
                        "Reason: {event_reason}\nSupport has been informed; a post-mortem "
                        "will be scheduled."),
    },
}

# Values a new release gets for the placeholders the templates use beyond the built-in ones.
# Empty values must be filled in before a message using them can be sent.
DEFAULT_VALUES = {
    "team_name": "The {product} team",
    "support_email": "",
    "support_phone": "",
    "user_guide_url": "",
    "video_url": "",
    "faq_url": "",
    "training_dates": "",
    "training_url": "",
    "getting_started": "1. Log into your account\n2. Open the new feature from the menu",
}

# (template, at | event, audience, time of day)
_TECHNICAL = ["stakeholders:development", "stakeholders:qa", "stakeholders:operations",
              "owner"]
_EVERYONE = ["stakeholders", "owner"]

_MAJOR = [
    ("pre-launch", "T-28d", _EVERYONE, "09:00"),
    ("date-confirmed", "T-14d", _EVERYONE, "09:00"),
    ("final-preparation", "T-7d", _EVERYONE, "09:00"),
    ("launches-soon", "T-2d", _EVERYONE, "09:00"),
    ("go-decision", "release.go_decision", _EVERYONE, None),
    ("deployment-starting", "deployment.started", _TECHNICAL, None),
    ("launch-day", "deployment.finished", _EVERYONE, None),
    ("first-day", "T-0", _EVERYONE, "17:00"),
    ("rolled-back", "release.rolled_back", _EVERYONE, None),
    ("first-week", "T+3d", _EVERYONE, "09:00"),
    ("week-1-metrics", "T+7d", _EVERYONE, "09:00"),
    ("first-month", "T+28d", _EVERYONE, "09:00"),
]

_MINOR = [
    ("pre-launch", "T-14d", _EVERYONE, "09:00"),
    ("launches-soon", "T-2d", _EVERYONE, "09:00"),
    ("deployment-starting", "deployment.started", _TECHNICAL, None),
    ("launch-day", "deployment.finished", _EVERYONE, None),
    ("rolled-back", "release.rolled_back", _EVERYONE, None),
    ("week-1-metrics", "T+7d", _EVERYONE, "09:00"),
]

_PATCH = [
    ("launches-soon", "T-2d", _EVERYONE, "09:00"),
    ("deployment-finished", "deployment.finished", _TECHNICAL, None),
    ("rolled-back", "release.rolled_back", _EVERYONE, None),
]

_HOTFIX = [
    ("deployment-starting", "deployment.started", _TECHNICAL, None),
    ("deployment-finished", "deployment.finished", _TECHNICAL, None),
    ("rolled-back", "release.rolled_back", _EVERYONE, None),
]


def _plan(rows) -> list[dict]:
    plan = []
    for template, when, audience, at_time in rows:
        spec = {"template": template, "audience": list(audience)}
        if when.startswith("T"):
            spec.update({"at": when, "time": at_time})
        else:
            spec["event"] = when
        plan.append(spec)
    return plan


DEFAULT_PLANS: dict[str, list[dict]] = {
    "major": _plan(_MAJOR),
    "minor": _plan(_MINOR),
    "patch": _plan(_PATCH),
    "hotfix": _plan(_HOTFIX),
}
