from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "tminus.documents"
    label = "documents"
    verbose_name = "Documentation and links"
