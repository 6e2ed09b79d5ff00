"""What a big course costs the instructor's pages: the gradebook, its CSV and an assignment's
item analysis for LEARNERS learners who each finished one exam of QUESTIONS questions, through
Django's test client on a fresh SQLite file in a temporary folder. Prints milliseconds and
queries per page; asserts nothing.

    .venv/bin/python benchmarks/classroom.py [--learners 500] [--questions 50] [--runs 5]

The rows are bulk-inserted (the quiz engine's own models, filled as it would fill them) so that
setting up 25,000 answers takes seconds; the pages read them exactly as they read real ones.
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install


def build(learners: int, questions: int):
    import datetime as dt

    from django.contrib.auth.models import User
    from django.utils import timezone

    from classroom.models import AssignedQuiz, Assignment, AssignmentQuestion, Course, Membership
    from questions.models import Attempt, Choice, Question
    from quizzes.models import Quiz, QuizItem

    rng = random.Random(1973)
    bank = Question.objects.bulk_create(Question(external_id=f"bench-{i}", title=f"Bench {i}", stem="?")
                                        for i in range(questions))
    Choice.objects.bulk_create(Choice(question=q, label=label, text=label, is_correct=label == "A", why=".", order=j)
                               for q in bank for j, label in enumerate("ABCD"))
    teacher = User.objects.create_user("bench-teacher")
    course = Course.objects.create(title="Bench course", created_by=teacher)
    Membership.objects.create(course=course, user=teacher, role="instructor")
    users = User.objects.bulk_create(User(username=f"learner-{i:04d}") for i in range(learners))
    Membership.objects.bulk_create(Membership(course=course, user=u, role="learner") for u in users)
    due = timezone.now() - dt.timedelta(days=1)
    exam = Assignment.objects.create(course=course, title="Exam", kind="exam", time_limit_s=3600, due_at=due)
    AssignmentQuestion.objects.bulk_create(AssignmentQuestion(assignment=exam, question=q, position=i)
                                           for i, q in enumerate(bank))
    quizzes = Quiz.objects.bulk_create(Quiz(user=u, mode="exam", time_limit_s=3600) for u in users)
    finished = due - dt.timedelta(minutes=rng.randint(0, 90))
    Quiz.objects.filter(pk__in=[q.pk for q in quizzes]).update(finished_at=finished)
    AssignedQuiz.objects.bulk_create(AssignedQuiz(assignment=exam, quiz=q) for q in quizzes)
    attempts, items = [], []
    for quiz, user in zip(quizzes, users):
        skill = rng.random()
        for i, q in enumerate(bank):
            pick = "A" if rng.random() < 0.3 + 0.6 * skill else rng.choice("BCD")
            attempts.append(Attempt(question=q, user=user, selected=[pick], correct=pick == "A",
                                    seconds_on_question=rng.randint(5, 120)))
            items.append(QuizItem(quiz=quiz, question=q, position=i))
    Attempt.objects.bulk_create(attempts, batch_size=2000)
    for item, attempt in zip(items, attempts):
        item.attempt = attempt
    QuizItem.objects.bulk_create(items, batch_size=2000)
    return teacher, course, exam


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.update({"VAR_DIR": tempfile.mkdtemp(prefix="bench-classroom-"), "DEBUG": "1",
                       "DJANGO_SETTINGS_MODULE": "studyapp.settings"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    teacher, course, exam = build(args.learners, args.questions)
    print(f"{args.learners} learners x {args.questions} questions set up in {time.perf_counter() - start:.1f} s")
    client = Client(HTTP_HOST="localhost")
    client.force_login(teacher)
    pages = {"gradebook": reverse("classroom:gradebook", args=[course.pk]),
             "gradebook CSV": reverse("classroom:gradebook_csv", args=[course.pk]),
             "item analysis": reverse("classroom:assignment_analysis", args=[course.pk, exam.pk])}
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
            count = len(queries.captured_queries)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{name}: median {statistics.median(times):.0f} ms over {args.runs} runs "
              f"(min {min(times):.0f}, max {max(times):.0f}), {count} queries")


if __name__ == "__main__":
    main()
