from tminus.accounts.selectors import lockouts
from tminus.accounts.services import login_lockout_clear
from tminus.core.management.base import TMinusCommand


class Command(TMinusCommand):
    help = "List failed sign-ins and lockouts, or unlock a username or an address."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        self.add_subcommand(sub, "list", help="Failed sign-ins still counting, newest first.")
        unlock = self.add_subcommand(sub, "unlock",
                                     help="Let a username (and/or an address) sign in again.")
        unlock.add_argument("username", nargs="?", default="")
        unlock.add_argument("--ip", dest="ip_address", default="",
                            help="Also clear this address (for every username tried from it).")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(options)

    def _list(self, options):
        for lockout in lockouts():
            state = "locked" if lockout.locked else "counting"
            self.stdout.write(f"{lockout.username or '-'}\t{lockout.ip_address}\t"
                              f"{lockout.failures} failures\t{state}\t"
                              f"last {lockout.last_attempt.isoformat(timespec='seconds')}")

    def _unlock(self, options):
        cleared = login_lockout_clear(username=options["username"],
                                      ip_address=options["ip_address"],
                                      actor=self.actor(options))
        who = " and ".join(filter(None, [options["username"], options["ip_address"]]))
        self.stdout.write(f"Unlocked {who}: {cleared} failure record(s) cleared.")
