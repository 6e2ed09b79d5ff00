"""Tear down every lab past its time limit.

Labs already stop themselves at their deadline (the local runtime runs under `timeout`, an AWS
stack deletes itself on a schedule), and the job worker's tick (labs/tasks.py) reaps them every
few seconds; this does the same once, by hand, for a site that runs no worker for a while.
"""
from django.core.management.base import BaseCommand

from labs.operations import reap_expired


class Command(BaseCommand):
    help = "Tear down labs whose time limit has passed."

    def handle(self, *args, **options):
        count = reap_expired()
        self.stdout.write(self.style.SUCCESS(f"{count} expired lab(s) torn down"))
