"""Question text is rendered from Markdown; nothing in a question file may run in a browser."""
import pytest

from questions.loader import load_questions
from tests.support import question_file

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


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", ""])
def test_the_admin_refuses_reference_links_a_page_would_run(admin_client, hostile, url):
    # The admin edits references as raw JSON; the loader's rule (http or https only) holds there too.
    from questions.models import Question
    question = Question.objects.get(external_id="evil")
    response = admin_client.post(f"/admin/questions/question/{question.pk}/change/", {
        "external_id": "evil", "title": question.title, "domain": question.domain, "source": question.source,
        "stem": question.stem, "explanation": question.explanation, "more_precisely": question.more_precisely,
        "key_points": "[]", "references": f'[{{"title": "x", "url": "{url}"}}]',
        "choices-TOTAL_FORMS": "0", "choices-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200 and "an http:// or https:// URL" in response.content.decode()
    question.refresh_from_db()
    assert all(ref["url"].startswith("http") for ref in question.references)
