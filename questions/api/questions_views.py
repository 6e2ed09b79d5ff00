"""The question bank's API: questions (public reads, instructors' writes) and attempts."""
import hashlib

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import is_instructor
from questions import answering
from questions.api.serializers import (
    VIEW_ANSWERS, VIEW_PUBLIC, AttemptCreateSerializer, AttemptResultSerializer, AttemptSerializer,
    QuestionDetailSerializer, QuestionListSerializer, QuestionWithAnswersSerializer, QuestionWriteSerializer,
)
from questions.content_format import validate_question
from questions.loader import save_question
from questions.models import Attempt, Question
from questions.versions import RecentlyServed, bank_version, question_version
from studyapp.api.errors import Conflict, ErrorSerializer, answer_refused
from studyapp.api.params import one
from studyapp.api.permissions import ReadOnlyOrInstructor
from studyapp.api.rendered import Rendered, RenderedResponse

E = ErrorSerializer
DETAIL_CACHE_S = 3600  # entries of replaced versions just expire
# What this process served lately, by version (questions/versions.py): an unchanged question or
# list page then costs one query (the version) and no cache read or serialization.
recent_questions = RecentlyServed(256)
recent_pages = RecentlyServed(256)
recent_answerable = RecentlyServed(64)  # Question instances with their choices, for answers
INCLUDE = OpenApiParameter("include", str, enum=["answers"], description="`answers`: the key and explanations (instructors only)")
# One operation, two shapes: `view` says which, so a generated client gets a typed object
# either way (the key, explanations, key points and references included or not).
QUESTION_VIEW = PolymorphicProxySerializer(
    component_name="QuestionView", resource_type_field_name="view",
    serializers={VIEW_PUBLIC: QuestionDetailSerializer, VIEW_ANSWERS: QuestionWithAnswersSerializer})
ANSWER_EXAMPLE = OpenApiExample("The right answer to #1973", value={"selected": ["D"]}, request_only=True)


def write_question(data, existing=None) -> Question:
    """Validate as the file loader does, then save the same way; errors name the field."""
    payload = {k: v for k, v in data.items() if v is not None}
    if payload.get("last_verified") is not None:
        payload["last_verified"] = payload["last_verified"].isoformat()
    for key in ("options", "references"):
        if key in payload:
            payload[key] = [dict(item) for item in payload[key]]
    question_data, errors = validate_question(payload)
    if errors or question_data is None:
        by_field: dict[str, list[str]] = {}
        for e in errors:
            by_field.setdefault(e.field, []).append(e.message)  # a field may break two rules at once
        raise ValidationError(by_field)
    if existing is None and Question.objects.filter(external_id=question_data.id).exists():
        raise ValidationError({"id": [f"question {question_data.id} already exists; use PUT to update it"]})
    if existing is not None and question_data.id != existing.external_id:
        raise ValidationError({"id": [f"must stay {existing.external_id}; ids of existing questions do not change"]})
    with transaction.atomic():  # the question, its options and tags change together or not at all
        question, _ = save_question(question_data, existing, from_file=False)
    return Question.objects.with_choices().get(pk=question.pk)


class QuestionList(generics.ListAPIView):
    """Questions, paginated. Filter by `tag` or `domain`; `search` looks in titles and stems."""

    serializer_class = QuestionListSerializer
    permission_classes = [ReadOnlyOrInstructor]

    def get_queryset(self):
        qs = Question.objects.with_choices()
        tag, domain, search = (one(self.request, name) for name in ("tag", "domain", "search"))
        if tag:
            qs = qs.filter(tags__slug=tag)
        if domain:
            qs = qs.filter(domain__iexact=domain)
        if search:
            term = search[:200]
            qs = qs.filter(Q(title__icontains=term) | Q(stem__icontains=term) | Q(external_id=term))
        return qs.distinct() if tag else qs

    @extend_schema(operation_id="listQuestions", summary="List questions", tags=["questions"], parameters=[
        OpenApiParameter("tag", str, description="only questions with this tag"),
        OpenApiParameter("domain", str, description="only questions of this exam domain (any case)"),
        OpenApiParameter("search", str, description="words in the title or stem, or a question's id"),
    ], responses={200: QuestionListSerializer(many=True), 400: E, 404: E, 429: E},
        description="Questions without their stems or keys, paginated (20 a page); a page past the last is a 404.")
    def get(self, request, *args, **kwargs):
        # Every page is the same for every caller, so this process keeps the pages it served
        # under the bank's version and the URL's scheme, host and path with its query (the links
        # in a page are absolute): what build_absolute_uri() makes the links from, without its
        # parse and re-quote on every read. get_host() still refuses a host not allowed.
        key = f"{bank_version()} {request.scheme}://{request.get_host()}{request.get_full_path()}"
        page = recent_pages.get(key)
        if page is None:
            page = Rendered(super().get(request, *args, **kwargs).data)
            recent_pages.put(key, page)
        return RenderedResponse(page)

    @extend_schema(operation_id="createQuestion", summary="Create a question", tags=["questions"],
                   request=QuestionWriteSerializer, responses={201: QuestionWithAnswersSerializer, 400: E, 401: E, 403: E, 429: E},
                   description="Instructors: create a question (same validation as the file loader).")
    def post(self, request):
        serializer = QuestionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = write_question(serializer.validated_data)
        return Response(QuestionWithAnswersSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionDetail(APIView):
    permission_classes = [ReadOnlyOrInstructor]

    def get_object(self, external_id):
        return get_object_or_404(Question.objects.with_choices(), external_id=external_id)

    def public_data(self, external_id) -> Rendered:
        """The question without its key, cached under its content version.

        The most requested call of the API. One small query reads the version (the loader's
        content hash, which covers options and tags, and `updated_at`, which any save moves);
        the serialized question is cached under it, so an edit is never served stale, by any
        process, and unchanged questions cost no serialization.
        """
        version = question_version(external_id)
        if version is None:
            raise Http404
        served = recent_questions.get(version)
        if served is None:
            pk, content_hash, updated_at = version
            # Hashed: the timestamp's text form depends on the database and holds spaces.
            key = "api:question:v2:" + hashlib.sha256(f"{pk}:{content_hash}:{updated_at}".encode()).hexdigest()
            data = cache.get(key)
            if data is None:
                question = Question.objects.with_choices().get(pk=pk)
                data = dict(QuestionDetailSerializer(question).data)
                cache.set(key, data, DETAIL_CACHE_S)
            served = Rendered(data)
            recent_questions.put(version, served)
        return served

    @extend_schema(operation_id="getQuestion", summary="Read a question", tags=["questions"],
                   parameters=[INCLUDE], responses={200: QUESTION_VIEW, 400: E, 401: E, 403: E, 404: E, 409: E, 429: E},
                   description="The question without its answer key (`view: public`, a `QuestionDetail`); "
                               "instructors may add `?include=answers` for the key and every explanation "
                               "(`view: answers`, a `QuestionWithAnswers`), 409 while the question is part "
                               "of their own unfinished exam, or of a course exam they took whose answers "
                               "show after its due time.")
    def get(self, request, external_id):
        include = one(request, "include")
        if include not in ("", "answers"):
            raise ValidationError({"include": ["the only value allowed is 'answers'"]})
        if include == "answers":
            if not request.user.is_authenticated:
                raise NotAuthenticated("Log in as an instructor to see the answer key.")
            if not is_instructor(request.user):
                raise PermissionDenied("The answer key is for instructors; answer the question to see it.")
            question = self.get_object(external_id)
            reason = answering.key_hidden_by_exam(request.user, question)
            if reason is not None:
                raise Conflict({"include": [reason.message + "; the key is hidden until then"]})
            return Response(QuestionWithAnswersSerializer(question).data)
        return RenderedResponse(self.public_data(external_id))

    @extend_schema(operation_id="replaceQuestion", summary="Replace a question", tags=["questions"],
                   request=QuestionWriteSerializer, responses={200: QuestionWithAnswersSerializer, 400: E, 401: E, 403: E, 404: E, 429: E},
                   description="Instructors: replace a question (same validation as the file loader).")
    def put(self, request, external_id):
        question = self.get_object(external_id)
        serializer = QuestionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = write_question(serializer.validated_data, existing=question)
        return Response(QuestionWithAnswersSerializer(question).data)


def answerable_question(external_id):
    """The question with its choices (what grading and the answer's response read; not its tags),
    kept by this process under its version as the detail view keeps its data: an unchanged
    question then costs the one small query of its version. The copy is shared, so it is only
    read, never changed."""
    version = question_version(external_id)
    if version is None:  # worded as get_object_or_404 words it, which this view used before
        raise Http404(f"No {Question._meta.object_name} matches the given query.")
    key = repr(version)
    question = recent_answerable.get(key)
    if question is None:
        question = Question.objects.prefetch_related("choices").get(pk=version[0])
        recent_answerable.put(key, question)
    return question


class AttemptCreate(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="answerQuestion", summary="Answer a question", tags=["attempts"], examples=[ANSWER_EXAMPLE],
                   request=AttemptCreateSerializer, responses={201: AttemptResultSerializer, 400: E, 401: E, 403: E, 404: E, 409: E, 429: E},
                   description="Answer a question. Graded by the same function as the learner pages. "
                               "409 while the question is part of the caller's unfinished exam, or of a course exam "
                               "they took whose answers show after its due time (the message says which).")
    def post(self, request, external_id):
        question = answerable_question(external_id)
        serializer = AttemptCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            attempt = answering.answer(question, serializer.validated_data["selected"], user=request.user)
        except answering.REFUSALS as exc:
            raise answer_refused(exc) from None
        return Response(AttemptResultSerializer(attempt).data, status=status.HTTP_201_CREATED)


class AttemptList(generics.ListAPIView):
    """The caller's own attempts, newest first."""

    serializer_class = AttemptSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        mine = Attempt.objects.filter(user=self.request.user).select_related("question")
        return answering.revealable(mine, self.request.user)

    @extend_schema(operation_id="listAttempts", summary="List my attempts", tags=["attempts"],
                   responses={200: AttemptSerializer(many=True), 400: E, 401: E, 403: E, 404: E, 429: E},
                   description="The caller's own answers, newest first, paginated (20 a page); answers to "
                               "questions of the caller's unfinished exam are left out until it ends.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
