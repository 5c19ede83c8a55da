from pathlib import Path

from tminus.core.backup import KEY_MEMBER, backup_create, describe, kind_name
from tminus.core.management.base import TMinusCommand


class Command(TMinusCommand):
    help = ("Write one archive (FILE, a .tar.gz) with the database and the secret key file; "
            "safe while T-Minus runs.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive to write (replaced if there).")

    def handle(self, *args, file, **options):
        result = backup_create(path=file.expanduser().resolve(), actor=self.actor(options))
        manifest = result.manifest
        self.stdout.write(
            f"Backed up the {kind_name(manifest['database'])} database "
            f"({describe(manifest['contents'])}) to {result.path} ({result.size:,} bytes).")
        if KEY_MEMBER in manifest["files"]:
            self.stdout.write("The secret key file is in the archive: keep the archive as "
                              "private as the key.")
        else:
            self.stdout.write("The secret key comes from TMINUS_SECRET_KEY and is not in the "
                              "archive: keep it with your configuration.")
