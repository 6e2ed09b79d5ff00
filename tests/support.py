"""Helpers the tests share. Fixtures live in conftest.py files; plain helpers and constants live
here, so that no test module imports from a conftest or from another test module."""
import textwrap
import time

# The one password of the suite's users (long and mixed enough for Django's validators).
PASSWORD = "a-Long-enough-passw0rd"


def wait_for(predicate, timeout_s, what="the condition", interval_s=0.1):
    """The predicate's first truthy value, polled every `interval_s`; fails naming `what` after
    `timeout_s`. Tests wait for observed states, never for a fixed time. The bounds are generous
    (a busy two-core machine): a test that needs them has failed anyway."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)


def question_file(qid="q1", title="A title", options=None, body="# Stem\n\nWhat is it?\n", extra=""):
    """Text of a small valid question file, with parts replaceable for error cases."""
    options = options if options is not None else textwrap.dedent("""\
        options:
          - label: A
            text: Right one
            correct: true
            why: Because.
          - label: B
            text: Wrong one
            correct: false
            why: Because not.
        """)
    return f"---\nid: \"{qid}\"\ntitle: {title}\n{options}{extra}---\n{body}"
