"""Default runbooks and rollback plans per release type, shaped after a real go-live plan.

The data has the shape a saved template carries under its "runbook" and "rollback_plan" keys:
phases with steps (a step is a title, or a dict with title, group, command, expected_minutes).
"""

_TEAM_READINESS = {
    "name": "Team readiness",
    "stage": "pre",
    "description": "2-4 hours before the deployment.",
    "steps": [
        "All deployment team members available",
        "Communication channels open",
        "Conference bridge available",
        "Emergency contacts on standby",
        "Rollback team ready",
    ],
}

_FINAL_CHECKS = {
    "name": "Final checks",
    "stage": "pre",
    "steps": [
        "Staging environment verified one last time",
        "Production backup completed",
        "Backup integrity verified",
        "No conflicting deployments scheduled",
        "Maintenance window started (if applicable)",
        "Users notified (if downtime expected)",
    ],
}

_DATABASE_MIGRATION = {
    "name": "Phase 1: Database migration",
    "stage": "execution",
    "expected": [15, 30],
    "steps": [
        "Production database backup created",
        "Backup verified and stored",
        "Migration scripts ready",
        {"title": "Migration started", "expected_minutes": 10},
        "Migration completed successfully",
        "Schema verified",
        "Tables, indexes and foreign keys verified",
        "No errors in migration logs",
    ],
}

_APPLICATION_DEPLOYMENT = {
    "name": "Phase 2: Application deployment",
    "stage": "execution",
    "expected": [15, 30],
    "steps": [
        "Code pulled from the release branch",
        "Commit hash verified",
        "Dependencies installed",
        {"title": "Build completed", "expected_minutes": 5},
        "Build output verified",
        "Environment variables verified",
        "Application stopped (current version)",
        "Application started (new version)",
        "Application startup logs verified, no errors",
    ],
}

_IMMEDIATE = "Immediate checks (5 minutes)"
_FUNCTIONAL = "Functional checks (10 minutes)"
_INTEGRATION = "Integration checks (10 minutes)"


def _grouped(group: str, titles: list[str]) -> list[dict]:
    return [{"title": title, "group": group} for title in titles]


_IMMEDIATE_CHECKS = _grouped(_IMMEDIATE, [
    "Application responds (HTTP 200)",
    "Homepage loads",
    "Login works",
    "Health check passes",
    "No errors in application logs",
    "Database connectivity verified",
])

_VERIFICATION = {
    "name": "Phase 3: Verification",
    "stage": "execution",
    "expected": [15, 30],
    "steps": [
        *_IMMEDIATE_CHECKS,
        *_grouped(_FUNCTIONAL, [
            "Main pages of the new feature load",
            "Existing records can be viewed",
            "A test record is created and viewed",
            "The core workflow completes with the test record",
        ]),
        *_grouped(_INTEGRATION, [
            "Integrations with other services working",
            "No errors in integration logs",
        ]),
    ],
}

_MONITORING = {
    "name": "Phase 4: Monitoring setup",
    "stage": "execution",
    "expected": [10, 10],
    "steps": [
        "Application monitoring enabled",
        "Error tracking verified",
        "Performance monitoring active",
        "Database monitoring active",
        "Alerts configured",
        "Dashboards accessible",
    ],
}

FULL_RUNBOOK = {"phases": [_TEAM_READINESS, _FINAL_CHECKS, _DATABASE_MIGRATION,
                           _APPLICATION_DEPLOYMENT, _VERIFICATION, _MONITORING]}

PATCH_RUNBOOK = {"phases": [
    {**_FINAL_CHECKS, "steps": ["Deployment team available", "Production backup completed",
                                "No conflicting deployments scheduled"]},
    {**_DATABASE_MIGRATION, "name": "Phase 1: Database migration (if the patch has one)",
     "expected": [5, 15],
     "steps": ["Migration run", "No errors in migration logs"]},
    {**_APPLICATION_DEPLOYMENT, "expected": [10, 20]},
    {**_VERIFICATION, "expected": [10, 15],
     "steps": [*_IMMEDIATE_CHECKS, {"title": "The fixed defects no longer occur",
                                    "group": "Fix checks"}]},
    {**_MONITORING, "expected": [5, 10],
     "steps": ["Error rates watched for 30 minutes", "Alerts quiet"]},
]}

HOTFIX_RUNBOOK = {"phases": [
    {**_FINAL_CHECKS, "steps": ["Production backup completed",
                                "No conflicting deployments scheduled"]},
    {"name": "Phase 1: Application deployment", "stage": "execution", "expected": [5, 15],
     "steps": ["Hotfix build verified", "Application deployed",
               "Application startup logs verified, no errors"]},
    {"name": "Phase 2: Verification", "stage": "execution", "expected": [5, 10],
     "steps": ["Health check passes", "The defect no longer occurs",
               "No new errors in application logs"]},
    {"name": "Phase 3: Monitoring", "stage": "execution", "expected": [30, 30],
     "steps": ["Error rates watched for 30 minutes"]},
]}

RUNBOOKS = {"major": FULL_RUNBOOK, "minor": FULL_RUNBOOK, "patch": PATCH_RUNBOOK,
            "hotfix": HOTFIX_RUNBOOK}

_IMMEDIATE_CRITERIA = [
    "Application crashes or won't start",
    "Data corruption detected",
    "Critical security vulnerability",
    "More than 50% of operations failing",
]

_CONSIDER_CRITERIA = [
    "Major feature broken but a workaround exists",
    "Performance degradation over 50%",
    "Multiple critical bugs reported",
    "Users unable to complete core workflows",
]

_COMMUNICATION = [
    "Notify stakeholders immediately",
    "Post a status update for users",
    "Inform the support team",
    "Document the issues encountered",
    "Schedule a post-mortem meeting",
]

_ROLLBACK_STEPS = [
    "Rollback decision announced to the deployment team and stakeholders",
    "Application stopped (new version)",
    "Previous version deployed",
    "Database restored from the pre-deployment backup (if the migration ran)",
    "Previous version verified: health check, login, core workflow",
    "Users and the support team informed",
]


def _rollback_plan(minutes: int, steps: list) -> dict:
    return {"immediate_criteria": _IMMEDIATE_CRITERIA, "consider_criteria": _CONSIDER_CRITERIA,
            "communication": _COMMUNICATION, "estimated_minutes": minutes, "steps": steps}


ROLLBACK_PLANS = {
    "major": _rollback_plan(30, _ROLLBACK_STEPS),
    "minor": _rollback_plan(30, _ROLLBACK_STEPS),
    "patch": _rollback_plan(20, _ROLLBACK_STEPS),
    "hotfix": _rollback_plan(15, [s for s in _ROLLBACK_STEPS if "Database" not in s]),
}
