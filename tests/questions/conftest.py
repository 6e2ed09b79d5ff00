import pytest

from questions.loader import parse_files, question_files


@pytest.fixture(scope="module")
def content():
    """The shipped question files (questions/content/), parsed: what the format tests write and read back."""
    return parse_files(question_files())
