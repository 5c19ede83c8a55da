"""A base for T-Minus commands: service refusals become clean error messages, not tracebacks."""

import argparse

from django.core.management.base import BaseCommand, CommandError

from tminus.accounts.models import User
from tminus.core.actors import Actor
from tminus.core.errors import ServiceError


class TMinusCommand(BaseCommand):
    """Adds --as USER (whom the change is recorded for) and turns ServiceError into CommandError."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("--as", dest="as_user", default="",
                            help="Record changes as made by this user (default: the system).")
        return parser

    def add_subcommand(self, subparsers, name: str, **kwargs):
        """A sub-command (`tminus token create`) that also takes --as after its name."""
        parser = subparsers.add_parser(name, **kwargs)
        # SUPPRESS keeps a value given before the sub-command from being reset to a default.
        parser.add_argument("--as", dest="as_user", default=argparse.SUPPRESS,
                            help="Record changes as made by this user (default: the system).")
        return parser

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ServiceError as error:
            raise CommandError(error.message) from None

    def actor(self, options) -> Actor:
        username = options.get("as_user")
        if not username:
            return Actor.cli()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        return Actor.cli(user)
