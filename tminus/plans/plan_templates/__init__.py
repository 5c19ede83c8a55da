"""Release templates written as Markdown plan documents."""
