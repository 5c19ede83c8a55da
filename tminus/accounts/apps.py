from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tminus.accounts"
    label = "accounts"
    verbose_name = "People and access"
