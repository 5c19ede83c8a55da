from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "tminus.worker"
    label = "worker"
    verbose_name = "Background work"
