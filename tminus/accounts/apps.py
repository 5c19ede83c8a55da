from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tminus.accounts"
    label = "accounts"
    verbose_name = "People and access"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from tminus.accounts.lockouts import forgive_own_failures
        from tminus.core.navigation import NavLink, register_nav

        user_logged_in.connect(forgive_own_failures, dispatch_uid="tminus-forgive-failures")

        register_nav(NavLink("Sign-in lockouts", "lockout-list", order=90,
                             capability="administer", group="People"))
