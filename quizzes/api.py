"""The quiz API: start, list, read, answer and finish quizzes (URLs in studyapp/api_urls.py,
under /api/v1/quizzes/). The rules are the pages' own: `lifecycle.start`, `Quiz.finish`,
`Quiz.reveals_outcomes`, the tallies of `Quiz.objects.with_tallies` and the limits table;
answers go through questions.answering."""
import re

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from questions import answering
from questions.api.serializers import AttemptResultSerializer
from questions.models import Question
from quizzes import lifecycle, limits
from quizzes.models import Quiz, QuizItem
from quizzes.serializers import QuizAnswerResultSerializer, QuizAnswerSerializer, QuizCreateSerializer, QuizSerializer
from studyapp.api.errors import ErrorSerializer as E
from studyapp.api.errors import answer_refused

WITH_ITEMS = Prefetch("items", queryset=QuizItem.objects.select_related("question", "attempt"))


def tallied(user):
    """The user's quizzes with their tallies and items, and the questions hidden from them.
    Exams past their deadline close first ("on read", in keys_hidden), so neither the tallies
    nor `hidden` count an exam that is over; other timed quizzes close as they are read."""
    hidden = answering.keys_hidden(user)
    return Quiz.objects.filter(user=user).with_tallies(hidden).prefetch_related(WITH_ITEMS), hidden


def closed(quiz: Quiz) -> Quiz:
    quiz.close_if_overdue()  # no query unless it closes it
    return quiz


def quiz_data(quiz: Quiz, hidden: dict) -> dict:
    """A quiz from `tallied()`. `hidden`: answering.keys_hidden(user); those questions' outcomes
    are left out (null, and out of the score) while the exam holding them is open."""
    reveal = quiz.reveals_outcomes
    items = list(quiz.items.all())  # prefetched with WITH_ITEMS: no query per item
    score = {"correct": quiz.correct, "answered": quiz.answered, "total": quiz.total} if reveal else None  # type: ignore[attr-defined]  # with_tallies
    return {
        "id": quiz.pk, "mode": quiz.mode, "time_limit_s": quiz.time_limit_s, "created_at": quiz.created_at,
        "deadline": quiz.deadline(), "finished_at": quiz.finished_at,
        "questions": [i.question.external_id for i in items],
        "items": [{
            "question": i.question.external_id, "answered": bool(i.attempt_id),
            "selected": i.attempt.selected if i.attempt is not None else None,
            "correct": (i.attempt.correct if reveal and i.question_id not in hidden else None) if i.attempt is not None else None,
        } for i in items],
        "score": score,
    }


def report(user, pk: int) -> dict:
    quizzes, hidden = tallied(user)
    return QuizSerializer(quiz_data(closed(get_object_or_404(quizzes, pk=pk)), hidden)).data


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
        try:
            quiz = lifecycle.start(request.user, mode=data["mode"], count=data["count"], tags=data["tags"],
                                   time_limit_s=data.get("time_limit_s"))
        except answering.ExamOpen as exc:
            raise answer_refused(exc) from None
        except lifecycle.NoQuestions:
            raise ValidationError({"tags": ["no question has these tags"]}) from None
        return Response(report(request.user, quiz.pk), status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="listQuizzes", summary="List my quizzes", tags=["quizzes"],
                   responses={200: QuizSerializer(many=True, max_length=limits.LIST_CAP), 401: E, 403: E, 429: E},  # type: ignore[call-arg]
                   description=f"The caller's quizzes, newest first: at most the {limits.LIST_CAP} newest.")
    def get(self, request):
        quizzes, hidden = tallied(request.user)
        return Response(QuizSerializer([quiz_data(closed(q), hidden) for q in quizzes[:limits.LIST_CAP]], many=True).data)


QUIZ_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="the quiz's id")  # drf-spectacular names a pk "id"
# Digits that fit the database's 64-bit integer; anything else is no quiz.
QUIZ_ID_RE = re.compile(r"[0-9]{1,18}")


def _quiz_id(pk: str) -> int:
    # Someone else's quiz is a 404, not a 403: its existence is not theirs to know.
    if not QUIZ_ID_RE.fullmatch(pk):
        raise Http404
    return int(pk)


def _own_quiz(request, pk: str) -> Quiz:
    return get_object_or_404(Quiz, pk=_quiz_id(pk), user=request.user)


class QuizDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="getQuiz", summary="Read a quiz", tags=["quizzes"],
                   parameters=[QUIZ_ID], responses={200: QuizSerializer, 401: E, 403: E, 404: E, 429: E},
                   description="One of the caller's quizzes: its questions, what was answered, and the score "
                               "(null in exam mode until finished). An exam past its deadline is closed here.")
    def get(self, request, pk):
        return Response(report(request.user, _quiz_id(pk)))


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
        quiz.finish()
        return Response(report(request.user, quiz.pk))
