from django.core.management.base import CommandError

from tminus.accounts.selectors import token_list
from tminus.accounts.services import token_create, token_revoke, user_by_username
from tminus.core.management.base import TMinusCommand


class Command(TMinusCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = self.add_subcommand(sub, "create", help="Print a new token once.")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="API token")
        listing = self.add_subcommand(sub, "list", help="List tokens (never their secrets).")
        listing.add_argument("--user", default="")
        revoke = self.add_subcommand(sub, "revoke", help="Revoke a token by id.")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(options)

    def _create(self, options):
        user = user_by_username(options["user"])
        _token, secret = token_create(user=user, name=options["name"],
                                      actor=self.actor(options))
        self.stdout.write(secret)

    def _list(self, options):
        user = user_by_username(options["user"]) if options["user"] else None
        for token in token_list(user=user):
            state = "revoked" if token.revoked_at else "active"
            used = token.last_used_at.isoformat() if token.last_used_at else "never"
            self.stdout.write(f"{token.pk}\t{token.user.username}\t{token.name}\t"
                              f"{token.prefix}…\t{state}\tlast used {used}")

    def _revoke(self, options):
        token = token_revoke(token_id=options["token_id"], actor=self.actor(options))
        if token is None:
            raise CommandError("No such token.")
        self.stdout.write(f"Revoked token {token.pk} ({token.name}).")
