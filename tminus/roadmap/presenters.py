"""Plain dicts of a roadmap for the API and the CLI."""

from tminus.outcomes.presenters import kpi_dict


def feature_dict(feature) -> dict:
    return {"id": feature.pk, "title": feature.title, "kind": feature.kind,
            "status": feature.status, "release": feature.release.key,
            "revision": feature.revision}


def move_dict(move) -> dict:
    return {"feature_id": move.feature_id, "feature": move.feature.title,
            "from_release": move.from_label, "to_release": move.to_label,
            "reason": move.reason, "moved_by": move.moved_by_label, "moved_at": move.moved_at}


def proposal_dict(proposal) -> dict:
    return {"go_live": proposal.go_live, "version": proposal.version, "name": proposal.name}


def roadmap_dict(view) -> dict:
    return {
        "product": view.product.key,
        "cadence": view.cadence.text if view.cadence else None,
        "cadence_meaning": view.cadence_meaning,
        "template": view.cadence.template_key if view.cadence else None,
        "releases": [
            {"key": c.release.key, "name": c.release.name, "version": c.release.version,
             "go_live": c.release.go_live, "status": c.release.status, "theme": c.theme,
             "features": [feature_dict(f) for f in c.features],
             "kpis": [kpi_dict(v) for v in c.kpis]}
            for c in view.columns
        ],
        "proposals": [proposal_dict(p) for p in view.proposals],
        "moves": [move_dict(m) for m in view.moves],
        "kpis": [kpi_dict(v) for v in view.product_kpis],
    }
