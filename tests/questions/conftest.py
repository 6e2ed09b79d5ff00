import textwrap
from pathlib import Path

import pytest

from questions.loader import CONTENT_DIR, load_questions
from questions.models import Question

# The question exactly as the product owner supplied it, kept in the repo so a clone tests alone.
SEED = Path(__file__).resolve().parent / "data" / "question-1973-seed.md"


@pytest.fixture
def q1973(db):
    load_questions([CONTENT_DIR / "1973.md"])
    return Question.objects.with_choices().get(external_id="1973")


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
