"""The quiz API's shapes (quizzes/api.py). The limits are quizzes/limits.py's, so the schema
states the same minimum and maximum the pages' forms enforce."""
from rest_framework import serializers

from questions.api.serializers import AttemptCreateSerializer, AttemptResultSerializer, label_field
from questions.field_limits import FIELDS, MAX_ITEMS
from quizzes import limits
from quizzes.models import Quiz


class QuizCreateSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=limits.MIN_COUNT, max_value=limits.MAX_COUNT, default=limits.DEFAULT_COUNT)
    tags = serializers.ListField(child=serializers.SlugField(max_length=FIELDS["tags"].max_length), required=False, default=list,
                                 max_length=MAX_ITEMS["tags"])
    mode = serializers.ChoiceField(choices=Quiz.Mode.choices, default=Quiz.Mode.PRACTICE)
    time_limit_s = serializers.IntegerField(min_value=limits.MIN_TIME_LIMIT_S, max_value=limits.MAX_TIME_LIMIT_S,
                                            required=False, allow_null=True,
                                            help_text="seconds; the exam closes this long after it starts")


class QuizItemSerializer(serializers.Serializer):
    question = serializers.CharField()
    answered = serializers.BooleanField()
    selected = serializers.ListField(child=label_field(), allow_null=True)
    correct = serializers.BooleanField(allow_null=True, help_text="null in exam mode until the quiz is finished, and "
                                       "while another open exam of yours holds the question")


class QuizScoreSerializer(serializers.Serializer):
    correct = serializers.IntegerField(min_value=0)
    answered = serializers.IntegerField(min_value=0)
    total = serializers.IntegerField(min_value=0)


class QuizSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=Quiz.Mode.choices)
    time_limit_s = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    questions = serializers.ListField(child=serializers.CharField())
    items = QuizItemSerializer(many=True)
    score = QuizScoreSerializer(allow_null=True, help_text="null in exam mode until finished; questions another "
                                "open exam of yours holds are left out until it is finished")


class QuizAnswerSerializer(AttemptCreateSerializer):
    question = serializers.CharField(max_length=FIELDS["id"].max_length)


class QuizAnswerResultSerializer(serializers.Serializer):
    recorded = serializers.BooleanField()
    result = AttemptResultSerializer(allow_null=True, help_text="practice mode only; null in exam mode")
