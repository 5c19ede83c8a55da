from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tminus.accounts"
    label = "accounts"
    verbose_name = "People and access"

    def ready(self):
        from tminus.core.navigation import NavLink, register_nav

        register_nav(NavLink("Sign-in lockouts", "lockout-list", order=90,
                             capability="administer", group="People"))
