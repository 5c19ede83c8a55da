from pathlib import Path

from tminus.core.backup import backup_restore, describe, kind_name
from tminus.core.management.base import TMinusCommand


class Command(TMinusCommand):
    help = ("Restore an archive written by `tminus backup` into the configured database (stop "
            "T-Minus first). Refuses a database that holds data unless --force.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="An archive written by `tminus backup`.")
        parser.add_argument("--force", action="store_true",
                            help="Replace a database that already holds data.")

    def handle(self, *args, file, force, **options):
        result = backup_restore(path=file.expanduser().resolve(), force=force,
                                # Whoever --as names is looked up in the restored data.
                                actor_after_restore=lambda: self.actor(options))
        manifest = result.manifest
        self.stdout.write(
            f"Restored the {kind_name(manifest['database'])} database from {result.path} (made "
            f"{manifest['created_at']} by T-Minus {manifest['tminus_version']}): "
            f"{describe(result.contents)}.")
        if result.key_restored:
            self.stdout.write("Restored the secret key file into the data directory.")
        if result.migrations_applied:
            self.stdout.write(f"Applied {result.migrations_applied} migration(s) the backup "
                              "did not have yet.")
        for note in result.notes:
            self.stdout.write(note)
