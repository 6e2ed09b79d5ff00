import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
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


@pytest.fixture(scope="module")
def schema():
    """The OpenAPI schema as the app serves it at /api/schema/, built without a request."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
