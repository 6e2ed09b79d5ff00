"""`/api/v1/review/`: due items and reviews, for other tools. Signed-in learners only."""
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from questions.api.errors import ErrorSerializer as E
from review import scheduling
from review.models import Review, ReviewItem

DUE_CAP = 200  # items a due list holds: one day's work, and a bounded response
RATING_NAMES = {int(v): k for k, v in scheduling.RATINGS.items()}
STATE_NAMES = {1: "learning", 2: "review", 3: "relearning"}  # fsrs.State; an item never reviewed is "new"


class ReviewItemSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="question.external_id")
    prompt = serializers.CharField(help_text="the question's title, or the key point's text")
    state = serializers.SerializerMethodField()

    class Meta:
        model = ReviewItem
        fields = ["id", "kind", "question", "point", "prompt", "due", "state", "last_review"]

    @extend_schema_field(serializers.ChoiceField(choices=["new", *STATE_NAMES.values()]))
    def get_state(self, item) -> str:
        return STATE_NAMES.get(item.state, "new")


class ReviewSerializer(serializers.ModelSerializer):
    rating = serializers.SerializerMethodField()
    item = ReviewItemSerializer(read_only=True)

    class Meta:
        model = Review
        fields = ["id", "item", "rating", "source", "reviewed_at", "due_after"]

    @extend_schema_field(serializers.ChoiceField(choices=list(scheduling.RATINGS)))
    def get_rating(self, review) -> str:
        return RATING_NAMES[review.rating]


class ReviewCreateSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, help_text="a review item's id, from /api/v1/review/due/")
    rating = serializers.ChoiceField(choices=list(scheduling.RATINGS), help_text="again, hard, good or easy")


class DueItems(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="listDueReviewItems", summary="Items due for review", tags=["review"],
                   responses={200: ReviewItemSerializer(many=True, max_length=DUE_CAP), 401: E, 403: E, 429: E},  # type: ignore[call-arg]
                   description=f"Items due by the end of today (UTC), earliest first: at most the {DUE_CAP} "
                               "earliest (review some for the rest). Questions an unfinished exam holds are left out.")
    def get(self, request):
        items = scheduling.due_items(request.user)
        return Response(ReviewItemSerializer(items[:DUE_CAP], many=True).data)


class Reviews(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ReviewSerializer

    def get_queryset(self):
        return Review.objects.filter(item__user=self.request.user).select_related("item__question")

    @extend_schema(operation_id="listReviews", summary="My review log", tags=["review"],
                   responses={200: ReviewSerializer(many=True), 401: E, 403: E, 404: E, 429: E},
                   description="Past reviews, newest first: by answering (`answer`) or self-graded (`self`). "
                               "A page past the last is a 404.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="rateReviewItem", summary="Self-grade a review item", tags=["review"],
                   request=ReviewCreateSerializer, responses={201: ReviewSerializer, 400: E, 401: E, 403: E, 429: E},
                   description="Self-grade an item (again, hard, good, easy); FSRS schedules its next review.")
    def post(self, request):
        body = ReviewCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = scheduling.reviewable_items(request.user).filter(pk=body.validated_data["item"]).first()
        if item is None:
            raise ValidationError({"item": ["not a review item of yours (or its question is in your unfinished exam)"]})
        done = scheduling.review(item, scheduling.RATINGS[body.validated_data["rating"]], source=Review.Source.SELF)
        return Response(ReviewSerializer(done).data, status=status.HTTP_201_CREATED)
