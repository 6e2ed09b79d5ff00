import textwrap

import pytest
from django.core.management import CommandError, call_command

from questions.loader import CONTENT_DIR, LoadError, load_questions
from questions.models import Choice, Question
from tests.questions.conftest import question_file

pytestmark = pytest.mark.django_db


def test_it_loads_the_bundled_content():
    report = load_questions()
    assert "1973" in report.created
    question = Question.objects.get(external_id="1973")
    assert [c.label for c in question.choices.all()] == ["A", "B", "C", "D"]
    assert question.correct_labels == ["D"]
    assert question.tags.filter(slug="sqs").exists()


def test_running_twice_changes_nothing():
    load_questions()
    before = Question.objects.get(external_id="1973").updated_at
    report = load_questions()
    assert "1973" in report.unchanged and not report.created and not report.updated
    assert Question.objects.get(external_id="1973").updated_at == before


def test_a_changed_file_updates_its_question(write):
    path = write("q1.md", question_file(title="First title"))
    load_questions([path])
    path.write_text(question_file(title="Second title"))
    report = load_questions([path])
    assert report.updated == ["q1"]
    assert Question.objects.get(external_id="q1").title == "Second title"
    assert Choice.objects.filter(question__external_id="q1").count() == 2


def test_a_bad_file_leaves_the_database_as_it_was(write):
    good = write("good.md", question_file(qid="good", title="Changed"))
    load_questions([write("good0.md", question_file(qid="good", title="Original"))])
    bad = write("bad.md", question_file(qid="bad", options="options: []\n"))
    with pytest.raises(LoadError) as info:
        load_questions([good, bad])
    assert "bad.md" in str(info.value)
    assert Question.objects.get(external_id="good").title == "Original"
    assert not Question.objects.filter(external_id="bad").exists()


def test_an_error_while_writing_rolls_back_everything(write, monkeypatch):
    import questions.loader as loader

    first = write("a.md", question_file(qid="a"))
    second = write("b.md", question_file(qid="b"))
    real_save = loader.save_question

    def failing_save(data, question=None, **kwargs):
        if data.id == "b":
            raise RuntimeError("disk full")
        return real_save(data, question, **kwargs)

    monkeypatch.setattr(loader, "save_question", failing_save)
    with pytest.raises(RuntimeError):
        load_questions([first, second])
    assert not Question.objects.filter(external_id="a").exists()


def test_duplicate_ids_across_files_are_refused(write):
    with pytest.raises(LoadError, match="already used by"):
        load_questions([write("one.md", question_file(qid="same")), write("two.md", question_file(qid="same"))])


def test_the_command_names_the_file_line_and_field(write):
    path = write("broken.md", question_file(options=textwrap.dedent("""\
        options:
          - label: A
            text: Right one
            correct: yes please
            why: Because.
          - label: B
            text: Wrong one
            correct: false
        """)))
    with pytest.raises(CommandError) as info:
        call_command("loadquestions", str(path))
    message = str(info.value)
    assert "broken.md: line 7: options[0].correct: required; true or false" in message
    assert "options[1].why: required" in message
    assert "nothing loaded" in message


def test_dry_run_writes_nothing(capsys):
    call_command("loadquestions", "--dry-run")
    files = len(list(CONTENT_DIR.glob("*.md")))  # #1973 and its companions
    assert f"dry run: would have {files} created" in capsys.readouterr().out
    assert not Question.objects.exists()


def test_multiple_answer_questions_load(write):
    path = write("multi.md", question_file(qid="multi", options=textwrap.dedent("""\
        options:
          - {label: A, text: one, correct: true, why: right}
          - {label: B, text: two, correct: true, why: right}
          - {label: C, text: three, correct: false, why: wrong}
        """)))
    load_questions([path])
    assert Question.objects.get(external_id="multi").answers_required == 2
