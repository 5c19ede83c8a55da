"""The `tminus` command: Django's management commands under one name.

`tminus serve`, `tminus worker`, `tminus token create` and the rest are management commands of
the T-Minus apps; everything Django offers (migrate, shell, ...) works too.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tminus.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["tminus", *args])


if __name__ == "__main__":
    main()
