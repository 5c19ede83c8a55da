from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class RolloutsConfig(AppConfig):
    name = "tminus.rollouts"
    label = "rollouts"
    verbose_name = "Staged rollouts"

    def ready(self):
        from tminus.core.navigation import NavLink, register_nav
        from tminus.releases.panels import Panel, register_alert_source, register_panel
        from tminus.rollouts import panels

        _check_settings()
        register_nav(NavLink("Rollouts", "rollouts-list", order=45))
        register_panel(Panel("rollouts", "Staged rollouts", "rollouts/release_panel.html",
                             panels.release_rollouts, order=65, tab="deployment"))
        register_alert_source(panels.release_alerts)
        _register_export()
        from tminus.metrics.arms import register_arm_assigner
        from tminus.rollouts.arms import arms_assign

        register_arm_assigner(arms_assign)


def _check_settings() -> None:
    from django.conf import settings

    for day in settings.ROLLOUT_CHECKIN_DAYS:
        if not day.isdigit() or int(day) < 1:
            raise ImproperlyConfigured(
                f"TMINUS_ROLLOUT_CHECKIN_DAYS must be whole numbers of days from 1, "
                f"comma-separated (7,30), not {','.join(settings.ROLLOUT_CHECKIN_DAYS)!r}.")


def _register_export() -> None:
    try:
        from tminus.plans.mapping import register_mapper
    except ImportError:  # the plan documents area is not installed
        return
    from tminus.rollouts.export import RolloutMapper

    register_mapper(RolloutMapper())
