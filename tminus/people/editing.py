"""The shared edit steps now live in `tminus.core.editing`; these names keep working."""

from tminus.core.editing import choice_error, create_row, remove_row, state, update_row

__all__ = ["choice_error", "create_row", "remove_row", "state", "update_row"]
