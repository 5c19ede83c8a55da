from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "tminus.documents"
    label = "documents"
    verbose_name = "Documentation and links"

    def ready(self):
        from tminus.documents import criteria, hooks, models
        from tminus.releases.panels import Panel, register_panel
        from tminus.releases.scheduling import register_offset_date
        from tminus.releases.templating import register_template_applier

        register_offset_date(models.Document, "due_date", "due_offset")
        register_panel(Panel("documents", "Documentation and links", "documents/panel.html",
                             hooks.panel_context, order=60, tab="readiness"))
        register_template_applier(hooks.documents_for_new_release)
        criteria.register()
