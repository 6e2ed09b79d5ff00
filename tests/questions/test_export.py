import pytest
from django.core.management import call_command

from questions.loader import load_questions, question_data
from questions.models import Question

pytestmark = pytest.mark.django_db


def test_exported_files_load_back_to_the_same_questions(tmp_path, django_db_blocker):
    load_questions()
    before = {q.external_id: question_data(q) for q in Question.objects.with_choices()}
    call_command("exportquestions", str(tmp_path))
    Question.objects.all().delete()
    report = load_questions([tmp_path])
    assert sorted(report.created) == sorted(before)
    after = {q.external_id: question_data(q) for q in Question.objects.with_choices()}
    assert after == before


def test_reloading_an_export_over_the_original_changes_nothing(tmp_path):
    load_questions()
    call_command("exportquestions", str(tmp_path))
    assert load_questions([tmp_path]).unchanged == sorted(Question.objects.values_list("external_id", flat=True))
