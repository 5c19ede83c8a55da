"""Core holds no tables of its own: shared building blocks live in the modules beside this one."""
