"""Item analysis on a fixture small enough to work out by hand.

Three questions (A right in each), five learners, one attempt each; "✓" right, a letter the
wrong option chosen, "-" not answered:

    learner  q1  q2  q3   total
    L1       ✓   ✓   B    2/3   <- top 27%: round(0.27 x 5) = 1 attempt
    L2       ✓   B   C    1/3
    L3       D   B   ✓    1/3
    L4       B   ✓   C    1/3
    L5       C   B   -    0     <- bottom 27%

Totals: mean 1/3, population variance 7/45 - 1/9 = 2/45, sd = sqrt(2/45).
q1: facility 2/5 = 0.4; M1 (L1, L2) = 1/2, M0 (L3, L4, L5) = 2/9;
    r_pb = (1/2 - 2/9) / sqrt(2/45) x sqrt(0.4 x 0.6) = 0.6455; upper - lower = 1 - 0 = 1.
q2: the same sums (L1, L4 right): r_pb = 0.6455, facility 0.4.
q3: facility 1/5 = 0.2; M1 (L3) = 1/3 = M0, so r_pb = 0; upper - lower = 0 - 0 = 0;
    B is chosen by the one top learner: 100% of the top group.
"""
import math

import pytest
from django.urls import reverse

from classroom import item_analysis
from classroom.models import AssignedQuiz, Membership
from questions import answering
from quizzes import lifecycle
from quizzes.models import Flag
from reports.models import ErrorReport
from tests.classroom.conftest import as_user, make_assignment

pytestmark = pytest.mark.django_db

GRID = {"L1": "AAB", "L2": "ABC", "L3": "DBA", "L4": "BAC", "L5": "CB-"}
SECONDS = {"q1": [10, 20, 30, 40, 50], "q2": [12] * 5, "q3": [5, 15, 25, 35]}


@pytest.fixture
def analysed(course_a, bank, django_user_model):
    assignment = make_assignment(course_a, bank, kind="exam", time_limit_s=3600, title="Quiz 1")
    seconds = {qid: iter(values) for qid, values in SECONDS.items()}
    for name, picks in GRID.items():
        user = django_user_model.objects.create_user(name)
        Membership.objects.create(course=course_a, user=user, role="learner")
        quiz = lifecycle.start(user, mode="exam", question_ids=assignment.question_ids(), time_limit_s=3600)
        AssignedQuiz.objects.create(assignment=assignment, quiz=quiz)
        for item, pick in zip(quiz.items.select_related("question"), picks):
            if pick != "-":
                answering.answer(item.question, [pick], user=user, quiz=quiz,
                                 seconds_on_question=next(seconds[item.question.external_id]))
            if name in ("L1", "L2") and item.question.external_id == "q3":
                Flag.objects.create(item=item)
        quiz.finished_at = quiz.created_at
        quiz.save(update_fields=["finished_at"])
    ErrorReport.objects.create(question=bank[2], note="B reads as right too")
    return assignment


def by_id(stats):
    return {s.question.external_id: s for s in stats}


def test_facility_and_discrimination_match_the_hand_figures(analysed):
    stats = by_id(item_analysis.analyse(item_analysis.finished_items(quiz__assignment_link__assignment=analysed)))
    r = (1 / 2 - 2 / 9) / math.sqrt(2 / 45) * math.sqrt(0.4 * 0.6)
    assert round(r, 4) == 0.6455
    assert stats["q1"].facility == pytest.approx(0.4) and stats["q1"].point_biserial == pytest.approx(r)
    assert stats["q1"].upper_lower == pytest.approx(1.0)
    assert stats["q2"].facility == pytest.approx(0.4) and stats["q2"].point_biserial == pytest.approx(r)
    assert stats["q3"].facility == pytest.approx(0.2) and stats["q3"].point_biserial == pytest.approx(0.0, abs=1e-9)
    assert stats["q3"].upper_lower == pytest.approx(0.0)
    assert (stats["q3"].attempts, stats["q3"].answered, stats["q3"].correct) == (5, 4, 1)


def test_option_frequencies_overall_and_in_the_top_and_bottom_groups(analysed):
    stats = by_id(item_analysis.analyse(item_analysis.finished_items(quiz__assignment_link__assignment=analysed)))
    q1 = {o.label: (o.chosen, o.share) for o in stats["q1"].options}
    assert q1 == {"A": (2, 0.4), "B": (1, 0.2), "C": (1, 0.2), "D": (1, 0.2)}
    q3 = {o.label: (o.chosen, o.upper_share, o.lower_share) for o in stats["q3"].options}
    assert q3 == {"A": (1, 0.0, 0.0), "B": (1, 1.0, 0.0), "C": (2, 0.0, 0.0), "D": (0, 0.0, 0.0)}


def test_median_time_flags_and_reports(analysed):
    stats = by_id(item_analysis.analyse(item_analysis.finished_items(quiz__assignment_link__assignment=analysed)))
    assert [stats[q].median_seconds for q in ("q1", "q2", "q3")] == [30, 12, 20]
    assert (stats["q3"].flags, stats["q3"].reports, stats["q3"].open_reports) == (2, 1, 1)
    assert (stats["q1"].flags, stats["q1"].reports) == (0, 0)


def test_the_hints_say_what_the_figures_mean(analysed):
    stats = by_id(item_analysis.analyse(item_analysis.finished_items(quiz__assignment_link__assignment=analysed)))
    assert stats["q3"].hints == [
        "Only 20% answered correctly: check the key, or teach this before the next try.",
        "It barely separates stronger from weaker learners (discrimination below 0.2).",
        "Distractor B attracts 100% of your top learners: is it ambiguous?",
        "Nobody chose D: as a distractor it does no work.",
        "Flagged 2 time(s) by learners unsure of it.",
        "1 error report(s) on it are open: see the triage page.",
    ]
    assert stats["q2"].hints == ["Nobody chose C: as a distractor it does no work.",
                                 "Nobody chose D: as a distractor it does no work."]
    assert stats["q1"].hints == []


def test_a_reversed_key_shows_as_negative_discrimination():
    item = item_analysis.ItemStats(question=None, attempts=20, facility=0.5, point_biserial=-0.3)
    assert any("lower totals did better" in h for h in item_analysis.hints(item))


def test_unfinished_and_unassigned_quizzes_are_left_out(analysed, learner, bank):
    lifecycle.start(learner, mode="practice", question_ids=[bank[0].pk])  # not an assignment
    open_quiz = lifecycle.start(learner, mode="exam", question_ids=analysed.question_ids(), time_limit_s=600)
    AssignedQuiz.objects.create(assignment=analysed, quiz=open_quiz)
    stats = by_id(item_analysis.analyse(item_analysis.finished_items(quiz__assignment_link__assignment=analysed)))
    assert stats["q1"].attempts == 5


def test_the_pages_show_the_figures(client, course_a, instructor, analysed):
    as_user(client, instructor)
    page = client.get(reverse("classroom:assignment_analysis", args=[course_a.pk, analysed.pk])).content.decode()
    assert 'data-facility="0.40"' in page and 'data-point-biserial="0.65"' in page
    assert "Distractor B attracts 100% of your top learners: is it ambiguous?" in page
    page = client.get(reverse("classroom:question_analysis", args=[course_a.pk, "q3"])).content.decode()
    assert 'data-item="q3"' in page and 'data-item="q1"' not in page and 'data-facility="0.20"' in page


def test_the_analysis_takes_a_fixed_number_of_queries(analysed, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        item_analysis.analyse(item_analysis.finished_items(quiz__assignment_link__assignment=analysed))


def test_one_attempt_gives_facility_but_no_discrimination(course_a, learner, bank):
    assignment = make_assignment(course_a, bank[:2], title="Tiny")
    quiz = lifecycle.start(learner, mode="practice", question_ids=assignment.question_ids())
    AssignedQuiz.objects.create(assignment=assignment, quiz=quiz)
    answering.answer(bank[0], ["A"], user=learner, quiz=quiz)
    quiz.finished_at = quiz.created_at
    quiz.save(update_fields=["finished_at"])
    stats = by_id(item_analysis.analyse(item_analysis.finished_items(quiz__assignment_link__assignment=assignment)))
    assert (stats["q1"].facility, stats["q1"].point_biserial, stats["q1"].upper_lower) == (1.0, None, None)
    assert stats["q2"].facility == 0.0 and stats["q2"].answered == 0
    assert [o.upper_share for o in stats["q1"].options] == [None] * 4
    assert stats["q1"].hints[0] == "Only 1 attempt(s) so far: too few to read much into these figures."
