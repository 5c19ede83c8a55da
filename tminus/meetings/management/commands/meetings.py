from tminus.core.management.base import TMinusCommand
from tminus.meetings import schedule, selectors, services
from tminus.releases.selectors import release_get


class Command(TMinusCommand):
    help = "List a release's meetings, send their invitations, or cancel one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="A release's meetings, one a line.")
        listing.add_argument("release")
        invite = sub.add_parser("invite", help="Email the ICS invitation to every attendee.")
        invite.add_argument("meeting", type=int)
        cancel = sub.add_parser("cancel", help="Cancel a meeting and tell the attendees.")
        cancel.add_argument("meeting", type=int)
        cancel.add_argument("--reason", default="")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(options)

    def _list(self, options):
        for meeting in selectors.meetings_of(release_get(options["release"])):
            start = schedule.starts_at(meeting.date, meeting.start_time, meeting.time_zone)
            when = f"{start:%Y-%m-%d %H:%M} {meeting.time_zone}" if start else "not scheduled"
            self.stdout.write(f"{meeting.pk}\t{meeting.kind}\t{meeting.status}\t{when}\t"
                              f"{meeting.title}")

    def _invite(self, options):
        invitations = services.meeting_invitations_send(
            meeting=selectors.meeting_get(options["meeting"]), actor=self.actor(options))
        self.stdout.write(f"{len(invitations)} invitation(s) queued: "
                          + ", ".join(i.email for i in invitations))

    def _cancel(self, options):
        meeting = services.meeting_cancel(meeting=selectors.meeting_get(options["meeting"]),
                                          reason=options["reason"], actor=self.actor(options))
        self.stdout.write(f"Cancelled {meeting.title}.")
