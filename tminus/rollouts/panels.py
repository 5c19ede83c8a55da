"""The release page's panel: the release's rollout plans, where each stands."""

from tminus.rollouts import selectors


def release_rollouts(request, release) -> dict:
    plans = selectors.plans_for_release(release)
    return {"rows": [(plan, selectors.current_stage(plan)) for plan in plans],
            "release_key": release.key}
