from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "tminus.testing"
    label = "testing"
    verbose_name = "Tests and results"
