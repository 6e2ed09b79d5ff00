"""The caller's progress on the API (/api/v1/progress/): totals and accuracy per domain, from
the same revealable attempts the progress page counts; and `/api/v1/me/data/`: a signed-in
learner's own data (progress.my_data), as JSON or one CSV a kind."""
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from progress import my_data
from questions import answering
from questions.models import Attempt, Question
from review.models import Review, ReviewItem
from studyapp.api.errors import ErrorSerializer as E
from studyapp.api.files import FileView


class DomainProgressSerializer(serializers.Serializer):
    domain = serializers.CharField()
    attempts = serializers.IntegerField()
    correct = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    attempts = serializers.IntegerField()
    correct = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True)
    questions_answered = serializers.IntegerField()
    questions_available = serializers.IntegerField()
    by_domain = DomainProgressSerializer(many=True)


class Progress(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="getProgress", summary="My progress", tags=["progress"],
                   responses={200: ProgressSerializer, 401: E, 403: E, 429: E},
                   description="The caller's totals and accuracy per domain.")
    def get(self, request):
        mine = answering.revealable(Attempt.objects.filter(user=request.user), request.user)
        totals = mine.aggregate(attempts=Count("id"), correct=Count("id", filter=Q(correct=True)),
                                questions=Count("question", distinct=True))
        by_domain = [
            {"domain": row["question__domain"], "attempts": row["attempts"], "correct": row["correct"],
             "accuracy": round(row["correct"] / row["attempts"], 4) if row["attempts"] else None}
            for row in mine.accuracy_by_domain()
        ]
        data = {
            "attempts": totals["attempts"], "correct": totals["correct"],
            "accuracy": round(totals["correct"] / totals["attempts"], 4) if totals["attempts"] else None,
            "questions_answered": totals["questions"], "questions_available": Question.objects.count(),
            "by_domain": by_domain,
        }
        return Response(ProgressSerializer(data).data)


class AttemptRow(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField(help_text="the question's id")
    selected = serializers.ListField(child=serializers.CharField(), help_text="option labels picked")
    correct = serializers.BooleanField()
    retry = serializers.BooleanField(help_text="answered again after the key was shown: practice, never counted")
    seconds_on_question = serializers.IntegerField(allow_null=True)
    quiz = serializers.IntegerField(allow_null=True, help_text="the quiz it was answered in, if any")
    answered_at = serializers.DateTimeField()


def _quiz_modes():
    """Quiz.Mode's choices, reached through the user's `quizzes` relation: the model is moving
    between apps, the relation stays."""
    return get_user_model()._meta.get_field("quizzes").related_model.Mode.choices


class QuizRow(serializers.Serializer):
    id = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=_quiz_modes())
    time_limit_s = serializers.IntegerField(allow_null=True)
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField()
    questions = serializers.IntegerField()
    answered = serializers.IntegerField()
    correct = serializers.IntegerField()


class ReviewRow(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    card = serializers.ChoiceField(choices=ReviewItem.Kind.choices)
    key_point = serializers.IntegerField(allow_null=True, help_text="index of the key point, for a key-point card")
    rating = serializers.ChoiceField(choices=list(my_data.RATINGS.values()))
    # A row's field (the serializer's metaclass takes it out of the class), not Field.source.
    source = serializers.ChoiceField(choices=Review.Source.choices)  # type: ignore[assignment]
    state_before = serializers.ChoiceField(choices=["new", "learning", "review", "relearning"])
    reviewed_at = serializers.DateTimeField()
    due_after = serializers.DateTimeField()


class ReportRow(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    part = serializers.CharField()
    note = serializers.CharField()
    status = serializers.CharField()
    response = serializers.CharField(help_text="what the instructor answered, if anything")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MyData(serializers.Serializer):
    attempts = AttemptRow(many=True)
    quizzes = QuizRow(many=True, help_text="finished quizzes only")
    reviews = ReviewRow(many=True)
    reports = ReportRow(many=True)


class MyDataJson(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="exportMyData", summary="My data as JSON", tags=["progress"],
                   responses={200: MyData, 401: E, 429: E},
                   description="The caller's own attempts (less those an unfinished exam of theirs holds), "
                               "finished quizzes, review log and error reports, oldest first.")
    def get(self, request):
        return Response(my_data.my_data(request))


class MyDataCsv(FileView):
    permission_classes = [IsAuthenticated]
    media_type, file_format = "text/csv", "csv"

    @extend_schema(operation_id="exportMyDataCsv", summary="One kind of my data as CSV", tags=["progress"],
                   parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(my_data.KINDS))],
                   responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV, UTF-8 with a BOM"),
                              401: E, 404: E, 429: E},
                   description="The caller's attempts, quizzes, reviews or reports as CSV (RFC 4180, UTF-8 with a "
                               "byte-order mark), the columns of the JSON export's rows. An unknown kind is a 404.")
    def get(self, request, kind):
        if kind not in my_data.KINDS:
            raise Http404(f"no such kind; one of {', '.join(my_data.KINDS)}")
        return my_data.csv_response(request, kind)
