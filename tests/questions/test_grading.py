import pytest

from questions.grading import GradingError, grade
from questions.loader import load_questions
from questions.models import Question
from tests.support import question_file


def test_the_right_answer_is_correct(q1973):
    result = grade(q1973, ["D"])
    assert result.correct and result.correct_labels == ["D"] and not result.missed


def test_a_wrong_answer_is_incorrect_and_says_what_was_missed(q1973):
    result = grade(q1973, ["A"])
    assert not result.correct
    assert result.missed == ["D"] and result.wrongly_chosen == ["A"]


@pytest.mark.parametrize("selected, expected", [
    ([], "choose exactly 1 option; 0 chosen"),
    (["A", "D"], "choose exactly 1 option; 2 chosen"),
    (["E"], "unknown option E; allowed: A, B, C, D"),
    (["D", "D"], "each option may be chosen once"),
])
def test_bad_selections_are_refused_with_a_reason(q1973, selected, expected):
    with pytest.raises(GradingError, match=expected):
        grade(q1973, selected)


@pytest.fixture
def multi(db, write):
    path = write("m.md", question_file(qid="multi", options=(
        "options:\n"
        "  - {label: A, text: a, correct: true, why: w}\n"
        "  - {label: B, text: b, correct: true, why: w}\n"
        "  - {label: C, text: c, correct: false, why: w}\n")))
    load_questions([path])
    return Question.objects.with_choices().get(external_id="multi")


def test_multiple_answers_need_all_of_them_in_any_order(multi):
    assert grade(multi, ["B", "A"]).correct
    partial = grade(multi, ["A", "C"])
    assert not partial.correct and partial.missed == ["B"] and partial.wrongly_chosen == ["C"]


def test_multiple_answers_refuse_the_wrong_count(multi):
    with pytest.raises(GradingError, match="choose exactly 2 options; 1 chosen"):
        grade(multi, ["A"])
