"""Question text is rendered from Markdown; nothing in a question file may run in a browser."""
import pytest

from questions.loader import load_questions
from tests.questions.conftest import question_file

HOSTILE = (
    "# Stem\n\n"
    "Pick one <script>alert('stem')</script> and "
    "<img src=x onerror=\"alert('img')\"> "
    "[click](javascript:alert('link')) "
    "<a href=\"JaVaScRiPt:alert('caps')\">caps</a> "
    "<p onclick=\"alert('p')\">para</p> "
    "[safe](https://docs.aws.amazon.com/)\n"
)


@pytest.fixture
def hostile(db, write):
    options = (
        "options:\n"
        "  - {label: A, text: \"<script>alert('opt')</script>ok\", correct: true, why: \"<svg onload=alert(1)>\"}\n"
        "  - {label: B, text: b, correct: false, why: \"[x](javascript:void(0))\"}\n"
    )
    load_questions([write("evil.md", question_file(qid="evil", options=options, body=HOSTILE))])


def assert_harmless(html):
    lowered = html.lower()
    assert "<script>alert" not in lowered
    assert "onerror" not in lowered and "onclick" not in lowered and "onload" not in lowered
    assert "javascript:" not in lowered


def test_question_page_renders_hostile_markdown_harmless(client, hostile):
    html = client.get("/questions/evil/").content.decode()
    assert_harmless(html)
    assert 'href="https://docs.aws.amazon.com/"' in html


def test_feedback_page_renders_hostile_explanations_harmless(client, hostile):
    html = client.post("/questions/evil/", {"selected": "A"}, follow=True).content.decode()
    assert 'data-outcome="correct"' in html
    assert_harmless(html)


def test_pages_send_a_content_security_policy(client, hostile):
    policy = client.get("/questions/evil/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
