"""API shapes for environments and deployments."""

from datetime import datetime

from ninja import Schema


class EnvironmentIn(Schema):
    key: str
    name: str = ""
    description: str = ""
    url: str = ""


class EnvironmentOut(Schema):
    id: int
    key: str
    name: str
    description: str
    url: str
    current_version: str
    current_release: str | None
    current_since: datetime | None


class DeploymentIn(Schema):
    version: str = ""
    release: str | None = None
    note: str = ""


class DeploymentOut(Schema):
    id: int
    environment: str
    version: str
    previous_version: str
    release: str | None
    deployed_at: datetime
    deployed_by: str
    note: str


class StandingOut(Schema):
    environment: str
    environment_name: str
    state: str
    is_current: bool
    current_version: str
    current_since: datetime | None
    first_deployed_at: datetime | None
    last_deployed_at: datetime | None
    summary: str
