"""The caller's progress on the API (/api/v1/progress/): totals and accuracy per domain, from
the same revealable attempts the progress page counts."""
from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from questions import answering
from questions.models import Attempt, Question
from studyapp.api.errors import ErrorSerializer as E


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
