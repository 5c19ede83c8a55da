"""The built-in release templates. Every date is a T-offset from go-live.

A template is plain data so that saved templates (rows of ReleaseTemplate) and these share one
shape and one code path: phases, milestones and checklist sections with nested items.
"""

_RELEASE_PHASES = ["Planning", "Development", "Testing", "Staging", "Production", "Post-release"]


def _phases(*spans: tuple[str, str]) -> list[dict]:
    return [
        {"name": name, "start": start, "end": end}
        for name, (start, end) in zip(_RELEASE_PHASES, spans, strict=True)
    ]


_GO_LIVE_DAY = {
    "title": "Go-live day: deployment",
    "group": "Go-Live Day",
    "due": "T-0",
    "items": [
        "Production backup completed and verified",
        "Deployment started",
        "Smoke tests passed",
        "Monitoring and alerts confirmed",
        "Go-live announcement sent",
    ],
}

MAJOR = {
    "key": "major",
    "name": "Major release",
    "release_type": "major",
    "description": "Significant new features: eight weeks of build, two of testing, a staged "
    "go-live and two weeks of hypercare.",
    "phases": _phases(
        ("T-70d", "T-57d"), ("T-56d", "T-22d"), ("T-21d", "T-8d"), ("T-7d", "T-1d"),
        ("T-0", "T-0"), ("T+1d", "T+14d"),
    ),
    "milestones": [
        {"name": "Planning start", "kind": "planning_start", "at": "T-70d"},
        {"name": "Feature freeze", "kind": "feature_freeze", "at": "T-28d"},
        {"name": "Code complete", "kind": "code_complete", "at": "T-22d"},
        {"name": "Testing complete", "kind": "testing_complete", "at": "T-8d"},
        {"name": "Go/no-go meeting", "kind": "go_no_go", "at": "T-2d"},
        {"name": "Go-live", "kind": "go_live", "at": "T-0"},
        {"name": "Post-release review", "kind": "review", "at": "T+14d"},
    ],
    "sections": [
        {
            "title": "Development completion",
            "group": "4 Weeks Before Go-Live",
            "due": "T-28d",
            "items": [
                "All code complete and peer-reviewed",
                "All unit and integration tests passing",
                "Performance testing completed",
                "Security testing completed",
                "Code merged to main branch",
            ],
        },
        {
            "title": "Documentation",
            "group": "4 Weeks Before Go-Live",
            "due": "T-28d",
            "items": ["User guide finalized", "Admin documentation complete",
                      "API documentation published", "FAQ document created"],
        },
        {
            "title": "UAT execution",
            "group": "3 Weeks Before Go-Live",
            "due": "T-21d",
            "items": ["UAT sessions conducted", "Critical and high-priority issues resolved",
                      "UAT sign-off received"],
        },
        {
            "title": "Training and support preparation",
            "group": "2 Weeks Before Go-Live",
            "due": "T-14d",
            "items": ["Support team trained", "Escalation procedures defined",
                      "Support coverage scheduled"],
        },
        {
            "title": "Production readiness",
            "group": "1 Week Before Go-Live",
            "due": "T-7d",
            "items": [
                "Rollback plan documented and tested",
                "Monitoring and alerting configured",
                {"text": "Go/no-go meeting held",
                 "children": ["Sign-off from development", "Sign-off from QA",
                              "Sign-off from operations"]},
            ],
        },
        _GO_LIVE_DAY,
        {
            "title": "First week",
            "group": "Post-Go-Live",
            "due": "T+7d",
            "items": ["Error logs reviewed daily", "Week 1 review meeting held"],
        },
        {
            "title": "Close-out",
            "group": "Post-Go-Live",
            "due": "T+14d",
            "items": ["Lessons learned recorded", "Project handed off to maintenance"],
        },
    ],
}

MINOR = {
    "key": "minor",
    "name": "Minor release",
    "release_type": "minor",
    "description": "Smaller features and performance work: four weeks of build, two of testing.",
    "phases": _phases(
        ("T-42d", "T-36d"), ("T-35d", "T-15d"), ("T-14d", "T-4d"), ("T-3d", "T-1d"),
        ("T-0", "T-0"), ("T+1d", "T+7d"),
    ),
    "milestones": [
        {"name": "Planning start", "kind": "planning_start", "at": "T-42d"},
        {"name": "Feature freeze", "kind": "feature_freeze", "at": "T-15d"},
        {"name": "Testing complete", "kind": "testing_complete", "at": "T-4d"},
        {"name": "Go/no-go meeting", "kind": "go_no_go", "at": "T-1d"},
        {"name": "Go-live", "kind": "go_live", "at": "T-0"},
    ],
    "sections": [
        {
            "title": "Development completion",
            "group": "2 Weeks Before Go-Live",
            "due": "T-15d",
            "items": ["Code complete and reviewed", "Regression tests passing",
                      "Release notes drafted"],
        },
        {
            "title": "Testing and approval",
            "group": "1 Week Before Go-Live",
            "due": "T-4d",
            "items": ["Regression testing completed", "User acceptance testing signed off",
                      "Load testing completed"],
        },
        _GO_LIVE_DAY,
        {
            "title": "Post-release monitoring",
            "group": "Post-Go-Live",
            "due": "T+7d",
            "items": ["24-hour monitoring period completed", "User feedback reviewed"],
        },
    ],
}

PATCH = {
    "key": "patch",
    "name": "Patch release",
    "release_type": "patch",
    "description": "Bug fixes and security updates on a short cycle.",
    "phases": _phases(
        ("T-14d", "T-12d"), ("T-11d", "T-6d"), ("T-5d", "T-3d"), ("T-2d", "T-1d"),
        ("T-0", "T-0"), ("T+1d", "T+3d"),
    ),
    "milestones": [
        {"name": "Code complete", "kind": "code_complete", "at": "T-6d"},
        {"name": "Go-live", "kind": "go_live", "at": "T-0"},
    ],
    "sections": [
        {
            "title": "Fixes verified",
            "group": "Before Go-Live",
            "due": "T-3d",
            "items": ["Every fix has a regression test", "Security scan completed",
                      "Staging sign-off received"],
        },
        _GO_LIVE_DAY,
    ],
}

HOTFIX = {
    "key": "hotfix",
    "name": "Hotfix",
    "release_type": "hotfix",
    "description": "An urgent fix shipped within days, with a rollback ready.",
    "phases": _phases(
        ("T-3d", "T-3d"), ("T-3d", "T-2d"), ("T-1d", "T-1d"), ("T-1d", "T-1d"),
        ("T-0", "T-0"), ("T+1d", "T+2d"),
    ),
    "milestones": [
        {"name": "Fix verified", "kind": "testing_complete", "at": "T-1d"},
        {"name": "Go-live", "kind": "go_live", "at": "T-0"},
    ],
    "sections": [
        {
            "title": "Fix and verify",
            "group": "Before Go-Live",
            "due": "T-1d",
            "items": ["Root cause identified", "Fix reviewed by a second engineer",
                      "Rollback steps confirmed"],
        },
        _GO_LIVE_DAY,
        {
            "title": "Follow-up",
            "group": "Post-Go-Live",
            "due": "T+2d",
            "items": ["Incident report written"],
        },
    ],
}

BUILTIN_TEMPLATES = {template["key"]: template for template in (MAJOR, MINOR, PATCH, HOTFIX)}
