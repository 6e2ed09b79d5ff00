"""`/api/v1/review/`: due items and reviews, for other tools. Signed-in learners only."""
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from review import revlog, scheduling
from review.models import Review, ReviewItem
from review.reveal import token as reveal_token
from review.reveal import was_revealed
from studyapp.api.errors import Conflict
from studyapp.api.errors import ErrorSerializer as E

DUE_CAP = 200  # items a due list holds: one day's work, and a bounded response
RATING_NAMES = {int(v): k for k, v in scheduling.RATINGS.items()}
STATE_NAMES = {1: "learning", 2: "review", 3: "relearning"}  # fsrs.State; an item never reviewed is "new"


class ReviewItemSerializer(serializers.ModelSerializer):
    """An item as the due list gives it: its front only; the back comes with revealing it."""
    question = serializers.CharField(source="question.external_id")
    front = serializers.CharField(help_text="what to recall: the question's title, or a key point's opening words to complete")
    state = serializers.SerializerMethodField()

    class Meta:
        model = ReviewItem
        fields = ["id", "kind", "question", "point", "front", "due", "state", "last_review"]

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
    revealed = serializers.CharField(help_text="the token from revealing the item's answer "
                                               "(GET /api/v1/review/items/{id}/answer/): no card is graded unseen")


class RevealedSerializer(ReviewItemSerializer):
    prompt = serializers.CharField(help_text="the back: the question's title, or the key point's text")
    intervals = serializers.DictField(child=serializers.DateTimeField(), help_text="when each rating (again, "
                                      "hard, good, easy) would make the item due next, from the scheduler")
    revealed = serializers.CharField(help_text="send this with the grade (POST /api/v1/review/reviews/)")

    class Meta(ReviewItemSerializer.Meta):
        fields = [*ReviewItemSerializer.Meta.fields, "prompt", "intervals", "revealed"]


class RevealItem(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="revealReviewItem", summary="Show a review item's answer", tags=["review"],
                   responses={200: RevealedSerializer, 401: E, 403: E, 404: E, 429: E},
                   description="The back of a review item of the caller's, the next due time each rating would "
                               "give, and the `revealed` token a grade must carry, as the card page's \"Show "
                               "answer\" does. Not one of the caller's items (or in their unfinished exam): 404.")
    def get(self, request, pk):
        item = scheduling.reviewable_items(request.user).filter(pk=pk).select_related("question").first() \
            if pk.isdigit() else None
        if item is None:
            raise NotFound("no such review item of yours (or its question is in your unfinished exam)")
        prefs = scheduling.settings_for(request.user, "")
        item.intervals = scheduling.preview(item, timezone.now(), prefs.desired_retention)
        item.revealed = reveal_token(item)
        return Response(RevealedSerializer(item).data)


class DueItems(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="listDueReviewItems", summary="Items due for review", tags=["review"],
                   responses={200: ReviewItemSerializer(many=True, max_length=DUE_CAP), 401: E, 403: E, 429: E},  # type: ignore[call-arg]
                   description=f"Items due now, earliest first (a card in a learning step is left out until its "
                               f"step ends): at most the {DUE_CAP} earliest (review some for the rest). Questions "
                               "an unfinished exam holds are left out.")
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
                   request=ReviewCreateSerializer,
                   responses={201: ReviewSerializer, 400: E, 401: E, 403: E, 409: E, 429: E},
                   description="Self-grade a due item (again, hard, good, easy) whose answer was revealed "
                               "(its `revealed` token); FSRS schedules its next review "
                               "with the learner's desired retention. An item not due yet is a 409: one review "
                               "per due showing.")
    def post(self, request):
        body = ReviewCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = scheduling.reviewable_items(request.user).filter(pk=body.validated_data["item"]).first()
        if item is None:
            raise ValidationError({"item": ["not a review item of yours (or its question is in your unfinished exam)"]})
        if not was_revealed(body.validated_data["revealed"], item):
            raise ValidationError({"revealed": [f"not this item's token: reveal its answer first "
                                                f"(GET /api/v1/review/items/{item.pk}/answer/), then grade"]})
        if not scheduling.is_due(item, timezone.now()):
            raise Conflict({"item": [f"not due until {item.due.isoformat()}: one review per due showing"]})
        done = scheduling.review(item, scheduling.RATINGS[body.validated_data["rating"]], source=Review.Source.SELF)
        return Response(ReviewSerializer(done).data, status=status.HTTP_201_CREATED)


class ReviewLog(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="exportReviewLog", summary="My review log as CSV", tags=["review"],
                   responses={(200, "text/csv"): str, 401: E, 403: E, 429: E},
                   description="The learner's review log as CSV in the column order of Anki's revlog: "
                               "id, cid, usn, ease, ivl, lastIvl, factor, time, type.")
    def get(self, request):
        return revlog.csv_response(revlog.reviews_of(request.user))
