"""Export the question bank as the Markdown files `loadquestions` reads.

Questions edited through the admin or the API can be written back to files and committed.
"""
from django.core.management.base import BaseCommand

from questions.loader import export_questions


class Command(BaseCommand):
    help = "Write every question as a Markdown file with front matter."

    def add_arguments(self, parser):
        parser.add_argument("out_dir", help="folder to write into (created if needed)")

    def handle(self, *args, out_dir, **options):
        written = export_questions(out_dir)
        self.stdout.write(self.style.SUCCESS(f"{len(written)} questions written to {out_dir}"))
