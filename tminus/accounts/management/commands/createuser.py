import getpass
import os

from tminus.accounts.roles import ROLE_CHOICES, VIEWER
from tminus.accounts.services import user_create
from tminus.core.management.base import TMinusCommand


class Command(TMinusCommand):
    help = "Create a person who can sign in, with a role."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", default=VIEWER, choices=[key for key, _ in ROLE_CHOICES])
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="Display name.")
        parser.add_argument("--password-from-env", metavar="VAR", default="",
                            help="Read the password from this environment variable.")
        parser.add_argument("--no-password", action="store_true",
                            help="Create without a password (API tokens only).")

    def handle(self, *args, username, role, email, name, password_from_env, no_password,
               **options):
        password = None
        if password_from_env:
            password = os.environ.get(password_from_env) or None
        elif not no_password:
            password = getpass.getpass(f"Password for {username}: ")
        user = user_create(username=username, password=password, role=role, email=email,
                           display_name=name, actor=self.actor(options))
        self.stdout.write(f"Created {user.username} ({user.role}).")
