import pytest
from rest_framework.test import APIClient

from questions.loader import load_questions
from tests.support import question_file


@pytest.fixture
def as_user():
    """An API client authenticated as the given user (None: anonymous)."""
    def _as(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    return _as


@pytest.fixture
def three(q1973, write):
    """#1973 and three small questions tagged `quiz`, for starting quizzes."""
    opts = "options:\n  - {label: A, text: a, correct: true, why: w}\n  - {label: B, text: b, correct: false, why: w}\n"
    load_questions([write(f"{i}.md", question_file(qid=f"t{i}", options=opts, extra="tags: [quiz]\n")) for i in range(3)])
