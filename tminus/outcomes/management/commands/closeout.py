from django.core.management.base import CommandError

from tminus.core.errors import NotFound
from tminus.core.management.base import TMinusCommand
from tminus.outcomes import services
from tminus.releases.selectors import release_get


class Command(TMinusCommand):
    help = "Close out a release: sign for a role, or save the release as a template."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sign = sub.add_parser("sign", help="Sign the close-out for a role (use --as USER).")
        sign.add_argument("release")
        sign.add_argument("role", help="e.g. 'Technical Lead'.")
        sign.add_argument("--comment", default="")
        save = sub.add_parser("save-template", help="Save a finished release as a template.")
        save.add_argument("release")
        save.add_argument("--name", default="")
        save.add_argument("--key", default="")
        save.add_argument("--description", default="")

    def handle(self, *args, action, **options):
        try:
            release = release_get(options["release"])
        except NotFound as error:
            raise CommandError(error.message) from None
        if action == "sign":
            self._sign(release, options)
        else:
            template = services.release_save_as_template(
                release=release, name=options["name"], key=options["key"],
                description=options["description"], actor=self.actor(options))
            self.stdout.write(template.key)

    def _sign(self, release, options):
        signoff = release.signoffs.filter(role__iexact=options["role"].strip()).first()
        if signoff is None:
            roles = ", ".join(release.signoffs.values_list("role", flat=True)) or "none"
            raise CommandError(f"{release.key} has no sign-off for {options['role']!r}; "
                               f"its roles are: {roles}.")
        signoff = services.signoff_sign(signoff=signoff, comment=options["comment"],
                                        actor=self.actor(options))
        self.stdout.write(f"{signoff.role}\tsigned by {signoff.signed_by_label}\t"
                          f"{signoff.signed_at:%Y-%m-%d %H:%M}")
