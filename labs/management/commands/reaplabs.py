"""Tear down every lab past its time limit.

Labs already stop themselves at their deadline (the local runtime runs under `timeout`, an AWS
stack deletes itself on a schedule); this catches anything that did not, e.g. from cron.
"""
from django.core.management.base import BaseCommand

from labs.operations import reap_expired


class Command(BaseCommand):
    help = "Tear down labs whose time limit has passed."

    def handle(self, *args, **options):
        count = reap_expired()
        self.stdout.write(self.style.SUCCESS(f"{count} expired lab(s) torn down"))
