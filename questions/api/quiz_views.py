"""Quizzes: a set of questions answered in practice mode (feedback each time) or exam mode
(nothing revealed until finished; no answers after the time limit)."""
import random
import re

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from questions import answering
from questions.api.errors import ErrorSerializer as E
from questions.api.errors import answer_refused
from questions.api.serializers import (
    AttemptResultSerializer, QuizAnswerResultSerializer, QuizAnswerSerializer, QuizCreateSerializer,
    QuizSerializer,
)
from questions.models import Question, Quiz, QuizItem


QUIZ_LIST_CAP = 50
WITH_ITEMS = Prefetch("items", queryset=QuizItem.objects.select_related("question", "attempt"))


def quiz_data(quiz: Quiz, hidden: dict[int, int]) -> dict:
    """`hidden`: answering.keys_hidden(user); those questions' outcomes are left out (null, and
    out of the score) while the exam holding them is open."""
    reveal = quiz.mode == Quiz.Mode.PRACTICE or quiz.finished_at is not None
    items = list(quiz.items.all())  # prefetched with WITH_ITEMS: no query per item
    shown = [i for i in items if i.question_id not in hidden]
    answered = [i for i in shown if i.attempt_id]
    score = None
    if reveal:
        score = {"correct": sum(1 for i in answered if i.attempt.correct), "answered": len(answered), "total": len(shown)}
    return {
        "id": quiz.pk, "mode": quiz.mode, "time_limit_s": quiz.time_limit_s, "created_at": quiz.created_at,
        "deadline": quiz.deadline(), "finished_at": quiz.finished_at,
        "questions": [i.question.external_id for i in items],
        "items": [{
            "question": i.question.external_id, "answered": bool(i.attempt_id),
            "selected": i.attempt.selected if i.attempt_id else None,
            "correct": (i.attempt.correct if reveal and i.question_id not in hidden else None) if i.attempt_id else None,
        } for i in items],
        "score": score,
    }


class QuizList(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="startQuiz", summary="Start a quiz", tags=["quizzes"],
                   request=QuizCreateSerializer, responses={201: QuizSerializer, 400: E, 401: E, 403: E, 409: E, 429: E},
                   description="Start a quiz of `count` questions (optionally only those with all of `tags`). "
                               "409 for an exam while another exam of yours is open (one at a time).")
    def post(self, request):
        serializer = QuizCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["mode"] == Quiz.Mode.EXAM:
            try:
                answering.ensure_no_open_exam(request.user)
            except answering.ExamOpen as exc:
                raise answer_refused(exc) from None
        qs = Question.objects.all()
        for tag in data["tags"]:
            qs = qs.filter(tags__slug=tag)
        ids = list(qs.values_list("id", flat=True).distinct())
        if not ids:
            raise ValidationError({"tags": ["no question has these tags"]})
        chosen = random.sample(ids, min(data["count"], len(ids)))
        with transaction.atomic():
            quiz = Quiz.objects.create(user=request.user, mode=data["mode"], time_limit_s=data.get("time_limit_s"))
            QuizItem.objects.bulk_create(QuizItem(quiz=quiz, question_id=qid, position=i) for i, qid in enumerate(chosen))
        quiz = Quiz.objects.prefetch_related(WITH_ITEMS).get(pk=quiz.pk)
        return Response(QuizSerializer(quiz_data(quiz, answering.keys_hidden(request.user))).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="listQuizzes", summary="List my quizzes", tags=["quizzes"],
                   responses={200: QuizSerializer(many=True, max_length=QUIZ_LIST_CAP), 401: E, 403: E, 429: E},
                   description=f"The caller's quizzes, newest first: at most the {QUIZ_LIST_CAP} newest.")
    def get(self, request):
        quizzes = Quiz.objects.filter(user=request.user).prefetch_related(WITH_ITEMS)[:QUIZ_LIST_CAP]
        for quiz in quizzes:
            quiz.close_if_overdue()  # exams past their deadline close on read (Quiz.close_if_overdue)
        hidden = answering.keys_hidden(request.user, close=False)  # closed just above
        return Response(QuizSerializer([quiz_data(q, hidden) for q in quizzes], many=True).data)


QUIZ_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="the quiz's id")  # drf-spectacular names a pk "id"
# Digits that fit the database's 64-bit integer; anything else is no quiz.
QUIZ_ID_RE = re.compile(r"[0-9]{1,18}")


def _own_quiz(request, pk: str) -> Quiz:
    # Someone else's quiz is a 404, not a 403: its existence is not theirs to know.
    if not QUIZ_ID_RE.fullmatch(pk):
        raise Http404
    return get_object_or_404(Quiz.objects.prefetch_related(WITH_ITEMS), pk=int(pk), user=request.user)


class QuizDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="getQuiz", summary="Read a quiz", tags=["quizzes"],
                   parameters=[QUIZ_ID], responses={200: QuizSerializer, 401: E, 403: E, 404: E, 429: E},
                   description="One of the caller's quizzes: its questions, what was answered, and the score "
                               "(null in exam mode until finished). An exam past its deadline is closed here.")
    def get(self, request, pk):
        quiz = _own_quiz(request, pk)
        quiz.close_if_overdue()  # exams past their deadline close on read (Quiz.close_if_overdue)
        return Response(QuizSerializer(quiz_data(quiz, answering.keys_hidden(request.user))).data)


class QuizAnswer(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="answerQuizQuestion", summary="Answer a quiz question", tags=["quizzes"],
                   parameters=[QUIZ_ID], request=QuizAnswerSerializer, responses={200: QuizAnswerResultSerializer, 400: E, 401: E, 403: E, 404: E, 409: E, 429: E},
                   description="Answer one question of the quiz. Practice mode returns the feedback; "
                               "exam mode only records the answer. 409 once finished or past the time limit.")
    def post(self, request, pk):
        quiz = _own_quiz(request, pk)
        serializer = QuizAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = Question.objects.with_choices().filter(external_id=serializer.validated_data["question"]).first()
        try:
            if question is None:
                raise answering.NotInQuiz()
            attempt = answering.answer(question, serializer.validated_data["selected"], user=request.user, quiz=quiz)
        except answering.REFUSALS as exc:
            raise answer_refused(exc) from None
        shown = AttemptResultSerializer(attempt).data if quiz.mode == Quiz.Mode.PRACTICE else None
        return Response({"recorded": True, "result": shown})


class QuizFinish(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="finishQuiz", summary="Finish a quiz", tags=["quizzes"],
                   parameters=[QUIZ_ID], request=None, responses={200: QuizSerializer, 401: E, 403: E, 404: E, 429: E},
                   description="Finish the quiz and get the score report (idempotent).")
    def post(self, request, pk):
        quiz = _own_quiz(request, pk)
        if quiz.finished_at is None:
            quiz.finished_at = timezone.now()
            quiz.save(update_fields=["finished_at"])
        return Response(QuizSerializer(quiz_data(quiz, answering.keys_hidden(request.user))).data)
