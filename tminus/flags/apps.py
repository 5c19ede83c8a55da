from django.apps import AppConfig


class FlagsConfig(AppConfig):
    name = "tminus.flags"
    label = "flags"
    verbose_name = "Feature flags"

    def ready(self):
        from tminus.core.navigation import NavLink, register_nav
        from tminus.flags import panels, propagation, streaming, tokens
        from tminus.flags.revisions import flags_state_changed
        from tminus.releases.panels import Panel, register_panel

        # A change committed in this process reaches its caches and streams at once.
        flags_state_changed.connect(tokens.forget_revisions, dispatch_uid="flags-revisions")
        flags_state_changed.connect(streaming.watch.kick, dispatch_uid="flags-stream-kick")
        tokens.tokens_changed.connect(streaming.watch.kick, dispatch_uid="flags-stream-tokens")
        # A change committed by another process (PostgreSQL notification): the same, at once.
        propagation.change_notified.connect(_changed_elsewhere, dispatch_uid="flags-notified")
        register_nav(NavLink("Flags", "flags-home", order=40))
        register_panel(Panel("flags", "Feature flags", "flags/release_panel.html",
                             panels.release_flags, order=60, tab="deployment"))


def _changed_elsewhere(payload: str, **_kwargs) -> None:
    from tminus.flags import propagation, streaming, tokens

    if payload != propagation.TOKENS:
        tokens.forget_revisions()
        streaming.watch.kick()
    if payload != "" and not payload.startswith("revision:"):
        tokens.forget_tokens()  # a revocation elsewhere, or notifications possibly missed
