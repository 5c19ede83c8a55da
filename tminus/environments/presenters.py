"""Plain dicts of environments for the API."""

from tminus.environments.models import Deployment, Environment
from tminus.environments.selectors import Standing


def environment_dict(environment: Environment) -> dict:
    release = environment.current_release
    return {
        "id": environment.pk,
        "key": environment.key,
        "name": environment.name,
        "description": environment.description,
        "url": environment.url,
        "current_version": environment.current_version,
        "current_release": release.key if release else None,
        "current_since": environment.current_since,
    }


def deployment_dict(deployment: Deployment) -> dict:
    return {
        "id": deployment.pk,
        "environment": deployment.environment.key,
        "version": deployment.version,
        "previous_version": deployment.previous_version,
        "release": deployment.release.key if deployment.release else None,
        "deployed_at": deployment.deployed_at,
        "deployed_by": deployment.deployed_by_label,
        "note": deployment.note,
    }


def standing_dict(standing: Standing) -> dict:
    return {
        "environment": standing.environment.key,
        "environment_name": standing.environment.name,
        "state": standing.state,
        "is_current": standing.is_current,
        "current_version": standing.environment.current_version,
        "current_since": standing.environment.current_since,
        "first_deployed_at": standing.first_deployed_at,
        "last_deployed_at": standing.last_deployed_at,
        "summary": standing.summary,
    }
