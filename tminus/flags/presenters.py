"""Plain dicts of flags for the JSON API."""

from tminus.flags.client_state import dependency_dict
from tminus.flags.selectors import FlagRow, StateView, potentially_stale


def flag_row(row: FlagRow) -> dict:
    flag = row.flag
    return {"key": flag.key, "type": flag.flag_type, "description": flag.description,
            "potentially_stale": row.stale, "archived": flag.archived_at is not None,
            "release": flag.release.key if flag.release else None,
            "environments": {key: state.enabled for key, state in row.states.items()}}


def strategy(strategy) -> dict:
    return {"id": strategy.pk, "name": strategy.name, "title": strategy.title,
            "parameters": strategy.parameters, "constraints": strategy.constraints,
            "segments": strategy.segments, "variants": strategy.variants,
            "sort_order": strategy.sort_order, "revision": strategy.revision}


def flag_detail(flag, states: list[StateView]) -> dict:
    return {
        "key": flag.key, "project": flag.project.key, "type": flag.flag_type,
        "description": flag.description, "owner": flag.owner.username if flag.owner else None,
        "release": flag.release.key if flag.release else None,
        "impression_data": flag.impression_data, "stale": flag.stale,
        "potentially_stale": potentially_stale(flag),
        "archived": flag.archived_at is not None, "revision": flag.revision,
        "tags": [str(tag) for tag in flag.tags.all()],
        "dependencies": [dependency_dict(d) for d in flag.dependencies.all()],
        "environments": [
            {"key": view.environment.key, "served": view.state is not None,
             "enabled": bool(view.state and view.state.enabled),
             "revision": view.state.revision if view.state else 0,
             "variants": view.state.variants if view.state else [],
             "strategies": [strategy(s) for s in view.strategies]}
            for view in states],
    }


def segment(segment) -> dict:
    return {"id": segment.pk, "name": segment.name, "description": segment.description,
            "project": segment.project.key if segment.project else None,
            "constraints": segment.constraints, "revision": segment.revision}
