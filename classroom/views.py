"""Course pages for instructors and learners. Every view finds its course through
classroom.access (404 outside the course, 403 for the wrong role in it), then calls the quiz
engine, the gradebook or the item analysis, and renders."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import is_instructor
from classroom import access, gradebook, item_analysis
from classroom.forms import AssignmentForm, CourseForm, JoinForm
from classroom.models import AssignedQuiz, Assignment, AssignmentQuestion, Course, DrillAnswer, Membership
from drills import engine as drills
from questions import answering
from questions.models import Question
from quizzes import lifecycle
from quizzes.models import Quiz


@login_required
@require_http_methods(["GET", "POST"])
def course_list(request):
    """My courses (teaching and taking), a new course for site instructors, and joining by code."""
    form = CourseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not is_instructor(request.user):
            raise PermissionDenied("Only instructors create courses.")
        status = 400
        if form.is_valid():
            with transaction.atomic():
                course = form.save(commit=False)
                course.created_by = request.user
                course.save()
                Membership.objects.create(course=course, user=request.user, role=Membership.Role.INSTRUCTOR)
            messages.success(request, f"Course “{course.title}” created. Its join code is {course.join_code}.")
            return redirect("classroom:course", pk=course.pk)
    memberships = Membership.objects.filter(user=request.user).select_related("course").order_by("course__title")
    return render(request, "classroom/course_list.html", {
        "form": form, "join_form": JoinForm(), "can_create": is_instructor(request.user),
        "teaching": [m.course for m in memberships if m.role == Membership.Role.INSTRUCTOR],
        "taking": [m.course for m in memberships if m.role == Membership.Role.LEARNER],
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def join(request, code=""):
    """Join a course as a learner: the form posts a code; a join link (…/join/CODE/) asks first,
    so that following a link never changes anything by itself."""
    form = JoinForm(request.POST or None, initial={"code": code})
    course = Course.objects.filter(join_code=code.upper()).first() if code else None
    if code and course is None:
        raise Http404("No course has this join code")
    if request.method == "POST" and form.is_valid():
        course = Course.objects.get(join_code=form.cleaned_data["code"])
        # get_or_create: a double click's second request finds the first's row, no IntegrityError;
        # an instructor of the course stays its instructor.
        _, joined = Membership.objects.get_or_create(course=course, user=request.user,
                                                     defaults={"role": Membership.Role.LEARNER})
        if joined:
            messages.success(request, f"You joined “{course.title}”.")
        return redirect("classroom:course", pk=course.pk)
    return render(request, "classroom/join.html", {"form": form, "course": course},
                  status=400 if request.method == "POST" else 200)


@login_required
def course_page(request, pk):
    course, member = access.course_as_member(request.user, pk)
    if member.role == Membership.Role.INSTRUCTOR:
        assignments = list(course.assignments.all())
        learners = list(course.learners())
        cells = gradebook.cells_for(course, learners, assignments)
        now = timezone.now()
        summary = [{"assignment": a,
                    "submitted": sum(1 for u in learners if cells[(u.pk, a.pk)].submitted),
                    "late": sum(1 for u in learners if cells[(u.pk, a.pk)].late),
                    "missing": sum(1 for u in learners if cells[(u.pk, a.pk)].missing(now))} for a in assignments]
        return render(request, "classroom/course_instructor.html", {
            "course": course, "summary": summary, "learners": learners,
            "instructors": course.memberships.filter(role=Membership.Role.INSTRUCTOR).select_related("user")
            .order_by("user__username"),
            "join_url": request.build_absolute_uri(reverse("classroom:join_link", args=[course.join_code])),
        })
    return render(request, "classroom/course_learner.html", {"course": course, "rows": my_assignments(request.user, [course])})


@login_required
@require_POST
def add_instructor(request, pk):
    """Make an account an instructor of this course (a learner of it is moved up; nobody else is
    told anything about the course). Any account can teach a course: the site role only lets
    one create courses."""
    course = access.course_as_instructor(request.user, pk)
    username = request.POST.get("username", "").strip()
    user = get_user_model().objects.filter(username=username, is_active=True).first() if username else None
    if user is None:
        messages.error(request, f"No active account is called “{username}”: check the username." if username
                       else "Enter the username of the account to add.")
        return redirect("classroom:course", pk=course.pk)
    Membership.objects.update_or_create(course=course, user=user, defaults={"role": Membership.Role.INSTRUCTOR})
    messages.success(request, f"{user.get_username()} now teaches this course.")
    return redirect("classroom:course", pk=course.pk)


def my_assignments(user, courses) -> list[dict]:
    """The learner's open assignments in `courses`, soonest due first, with where they stand."""
    rows = []
    for course in courses:
        assignments = list(course.assignments.open_for_learners())
        cells = gradebook.cells_for(course, [user], assignments)
        rows += [{"course": course, "assignment": a, "cell": cells[(user.pk, a.pk)]} for a in assignments]
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)  # no due time: after every due time
    return sorted(rows, key=lambda r: (r["cell"].submitted, r["assignment"].due_at or far, r["assignment"].pk))


@login_required
def assigned_to_me(request):
    courses = Course.objects.of(request.user, Membership.Role.LEARNER)
    return render(request, "classroom/assigned.html", {"rows": my_assignments(request.user, courses)})


@login_required
@require_http_methods(["GET", "POST"])
def assignment_new(request, pk):
    course = access.course_as_instructor(request.user, pk)
    form = AssignmentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                ids = form.question_ids() if data["kind"] != Assignment.Kind.DRILLS else []
            except lifecycle.NoQuestions as exc:
                form.add_error("tag", f"{str(exc).capitalize()}; choose another tag or domain.")
            else:
                with transaction.atomic():
                    assignment = Assignment.objects.create(
                        course=course, title=data["title"], kind=data["kind"],
                        time_limit_s=data["minutes"] * 60 if data["kind"] == Assignment.Kind.EXAM else None,
                        opens_at=data["opens_at"], due_at=data["due_at"], attempts_allowed=data["attempts_allowed"],
                        show_answers_after_due=data["show_answers_after_due"],
                        drill_seeds=[drills.random_seed() for _ in range(data["count"])]
                        if data["kind"] == Assignment.Kind.DRILLS else [])
                    AssignmentQuestion.objects.bulk_create(
                        AssignmentQuestion(assignment=assignment, question_id=qid, position=i) for i, qid in enumerate(ids))
                messages.success(request, f"Assigned “{assignment.title}”.")
                return redirect("classroom:assignment", pk=course.pk, aid=assignment.pk)
    return render(request, "classroom/assignment_new.html", {"course": course, "form": form}, status=status)


def _assignment(course, aid) -> Assignment:
    return get_object_or_404(Assignment, pk=aid, course=course)


@login_required
def assignment_page(request, pk, aid):
    course, member = access.course_as_member(request.user, pk)
    assignment = _assignment(course, aid)
    if member.role == Membership.Role.INSTRUCTOR:
        learners = list(course.learners())
        cells = gradebook.cells_for(course, learners, [assignment])
        return render(request, "classroom/assignment_instructor.html", {
            "course": course, "assignment": assignment,
            "rows": [{"learner": u, "cell": cells[(u.pk, assignment.pk)]} for u in learners]})
    if not assignment.is_open():
        raise Http404("This assignment is not open yet")
    cell = gradebook.cells_for(course, [request.user], [assignment])[(request.user.pk, assignment.pk)]
    attempts = (AssignedQuiz.objects.filter(assignment=assignment, quiz__user=request.user)
                .select_related("quiz").order_by("quiz__created_at"))
    return render(request, "classroom/assignment_learner.html", {
        "course": course, "assignment": assignment, "cell": cell, "attempts": attempts,
        "can_start": assignment.runs_as_quiz and not cell.in_progress and cell.attempts < assignment.attempts_allowed,
        "drills": _drill_rows(assignment, request.user) if assignment.kind == Assignment.Kind.DRILLS else None,
    })


@login_required
@require_POST
def assignment_start(request, pk, aid):
    """Start the learner's next attempt: a quiz the quiz engine creates, with the assignment's
    questions, mode and time limit; then the quiz pages take over."""
    course = access.course_as_learner(request.user, pk)
    assignment = _assignment(course, aid)
    if not assignment.is_open() or not assignment.runs_as_quiz:
        raise Http404("This assignment is not open yet")
    with transaction.atomic():
        # Locks the learner's membership row: two clicks cannot start two attempts past the limit.
        Membership.objects.select_for_update().filter(course=course, user=request.user).first()
        mine = AssignedQuiz.objects.filter(assignment=assignment, quiz__user=request.user)
        running = mine.filter(quiz__finished_at__isnull=True).values_list("quiz_id", flat=True).first()
        if running:
            return redirect("quizzes:question", pk=running, n=1)
        if mine.count() >= assignment.attempts_allowed:
            messages.error(request, f"You have used all {assignment.attempts_allowed} attempt(s) of this assignment.")
            return redirect("classroom:assignment", pk=course.pk, aid=assignment.pk)
        try:
            quiz = lifecycle.start(request.user, mode=assignment.quiz_mode, question_ids=assignment.question_ids(),
                                   time_limit_s=assignment.time_limit_s)
        except answering.ExamOpen as exc:
            messages.error(request, exc.message.capitalize() + ".")
            return redirect("classroom:assignment", pk=course.pk, aid=assignment.pk)
        AssignedQuiz.objects.create(assignment=assignment, quiz=quiz)
    return redirect("quizzes:question", pk=quiz.pk, n=1)


def _drill_rows(assignment, user) -> list[dict]:
    answers = {a.seed: a for a in assignment.drill_answers.filter(user=user)}
    return [{"n": i, "drill": drills.make_drill(seed), "answer": answers.get(seed)}
            for i, seed in enumerate(assignment.drill_seeds, start=1)]


@login_required
@require_POST
def drill_answer(request, pk, aid, n):
    """Answer drill `n` of a drill set, once; graded by drills.engine like the drills page."""
    course = access.course_as_learner(request.user, pk)
    assignment = _assignment(course, aid)
    if assignment.kind != Assignment.Kind.DRILLS or not assignment.is_open() or not 1 <= n <= len(assignment.drill_seeds):
        raise Http404("No such drill")
    seed = assignment.drill_seeds[n - 1]
    raw = request.POST.get("answer", "").strip()
    if not raw.isdigit() or int(raw) > 1_000_000:
        messages.error(request, f"Drill {n}: enter a whole number from 0 to 1,000,000.")
        return redirect("classroom:assignment", pk=course.pk, aid=assignment.pk)
    result = drills.grade(seed, int(raw))
    DrillAnswer.objects.get_or_create(assignment=assignment, user=request.user, seed=seed,
                                      defaults={"answer": int(raw), "correct": result.correct})
    return redirect("classroom:assignment", pk=course.pk, aid=assignment.pk)


@login_required
def gradebook_page(request, pk):
    course = access.course_as_instructor(request.user, pk)
    assignments, rows = gradebook.gradebook(course)
    return render(request, "classroom/gradebook.html", {"course": course, "assignments": assignments, "rows": rows})


@login_required
def gradebook_csv(request, pk):
    course = access.course_as_instructor(request.user, pk)
    response = HttpResponse(gradebook.as_csv(course), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gradebook-course-{course.pk}.csv"'
    return response


def exam_refusal(request, course):
    """These pages show answer keys (the attempt's, and which option is right in item analysis):
    none while the instructor's own exam runs (questions.answering's rule, as for the exports)."""
    exam = answering.exam_in_progress(request.user)
    # Nor while a key is hidden from them for another reason (a course exam they took, until due).
    reason = None if exam is not None else next(iter(answering.keys_hidden(request.user).values()), None)
    if exam is None and reason is None:
        return None
    return render(request, "classroom/exam_first.html", {"course": course, "exam": exam, "reason": reason}, status=409)


@login_required
def attempt_page(request, pk, quiz_id):
    """A learner's attempt as their instructor sees it: each question, what they chose, the key."""
    course = access.course_as_instructor(request.user, pk)
    if refused := exam_refusal(request, course):
        return refused
    link = get_object_or_404(AssignedQuiz.objects.select_related("assignment", "quiz__user"),
                             quiz_id=quiz_id, assignment__course=course)
    quiz = Quiz.objects.prefetch_related(lifecycle.with_items()).get(pk=link.quiz_id)
    rows = []
    for item in quiz.items.all():
        chosen = set(item.attempt.selected) if item.attempt_id else set()
        rows.append({"question": item.question, "attempt": item.attempt if item.attempt_id else None,
                     "flagged": hasattr(item, "flag"),
                     "options": [{"choice": c, "chosen": c.label in chosen} for c in item.question.choices.all()]})
    return render(request, "classroom/attempt.html", {
        "course": course, "assignment": link.assignment, "quiz": quiz, "learner": quiz.user, "rows": rows,
        "results": lifecycle.results(quiz) if quiz.finished_at else None})


@login_required
def assignment_analysis(request, pk, aid):
    course = access.course_as_instructor(request.user, pk)
    if refused := exam_refusal(request, course):
        return refused
    assignment = _assignment(course, aid)
    gradebook.close_overdue_attempts([assignment])
    stats = item_analysis.analyse(item_analysis.finished_items(quiz__assignment_link__assignment=assignment))
    return render(request, "classroom/analysis.html", {"course": course, "assignment": assignment, "stats": stats})


@login_required
def question_analysis(request, pk, external_id):
    """One question across every assignment of the course that holds it."""
    course = access.course_as_instructor(request.user, pk)
    if refused := exam_refusal(request, course):
        return refused
    question = get_object_or_404(Question, external_id=external_id)
    gradebook.close_overdue_attempts(course.assignments.all())
    stats = item_analysis.analyse(item_analysis.finished_items(quiz__assignment_link__assignment__course=course,
                                                               question=question))
    return render(request, "classroom/analysis.html", {"course": course, "question": question, "stats": stats})
