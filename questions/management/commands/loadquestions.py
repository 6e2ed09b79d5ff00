"""Load question files (Markdown with front matter) into the database.

The files in questions/content/ are the source of truth; the database is a loaded copy. Safe to
run at every start: unchanged files change nothing, and one bad file stops the whole load
before anything is written.
"""
from django.core.management.base import BaseCommand, CommandError

from questions.loader import LoadError, load_questions


class Command(BaseCommand):
    help = "Load question files into the database (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="files or folders; default questions/content/")
        parser.add_argument("--dry-run", action="store_true",
                            help="validate and report, write nothing; lists the database edits a load would overwrite")

    def handle(self, *args, paths, dry_run, **options):
        try:
            report = load_questions(paths, dry_run=dry_run)
        except LoadError as exc:
            raise CommandError(f"nothing loaded; fix these and run again:\n{exc}") from None
        if options["verbosity"] > 1:
            for outcome in ("created", "updated", "unchanged"):
                for qid in getattr(report, outcome):
                    self.stdout.write(f"  {outcome}: {qid}")
        if report.overwritten:
            verb = "would overwrite" if dry_run else "overwrote"
            self.stdout.write(self.style.WARNING(
                f"{verb} edits made in the database (admin or API) since the last load; "
                "to keep one, make it in the file (or `manage.py exportquestions`) first:"))
            for qid, fields in report.overwritten.items():
                self.stdout.write(f"  {qid}: {', '.join(fields)}")
        prefix = "dry run: would have " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary()}"))
        return None
