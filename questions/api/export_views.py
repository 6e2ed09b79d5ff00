"""Exports of the bank (Markdown files, Moodle XML, GIFT, QTI 2.1, Anki, CSV) and imports into it (Moodle XML, GIFT).

Exports hold every answer key, so they are for instructors, and refused while the caller's own
exam runs. Imports go through the loader's all-or-nothing path, as files do (questions.loader).
"""
import io
import zipfile

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from questions import answering
from questions.content_format import dump_question_file
from questions.csv_export import questions_csv, results_csv
from questions.anki import to_apkg
from questions.gift import to_gift
from questions.loader import LoadError, import_text, question_data
from questions.models import Attempt, Question
from questions.moodle_xml import to_moodle_xml
from questions.qti import to_qti_package
from studyapp.api.errors import Conflict
from studyapp.api.errors import ErrorSerializer as E
from studyapp.api.files import FileView, file_parser
from studyapp.api.params import one
from studyapp.api.permissions import IsInstructor


def refuse_during_exam(user):
    """Exports hold every key: none while the caller's own exam runs, nor while any other rule
    hides a key from them (a course exam they took, before its due time: questions.answering)."""
    exam = answering.exam_in_progress(user)
    if exam is not None:
        raise Conflict({"exam": [f"your exam quiz {exam} is not finished; exports show every answer key, "
                                 "so finish the quiz first"]})
    reason = next(iter(answering.keys_hidden(user).values()), None)
    if reason is not None:
        raise Conflict({"exam": [f"{reason.message}; exports show every answer key, so they open then"]})


def bank():
    return [question_data(q) for q in Question.objects.with_choices()]


def attachment(content: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def file_response(media_type: str, description: str) -> dict:
    return {(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description),
            401: E, 403: E, 409: E, 429: E}


class ExportMarkdown(FileView):
    permission_classes = [IsInstructor]
    media_type, file_format = "application/zip", "zip"

    @extend_schema(operation_id="exportMarkdown", summary="Export the bank as Markdown files", tags=["interchange"],
                   responses=file_response(media_type, "a zip of `ID.md` files"),
                   description="The bank as the Markdown files `manage.py loadquestions` reads, zipped. "
                               "409 while the caller has an unfinished exam.")
    def get(self, request):
        refuse_during_exam(request.user)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for data in bank():
                zf.writestr(f"{data.id}.md", dump_question_file(data))
        return attachment(buffer.getvalue(), self.media_type, "questions.zip")


class ExportMoodle(FileView):
    permission_classes = [IsInstructor]
    media_type, file_format = "application/xml", "xml"

    @extend_schema(operation_id="exportMoodle", summary="Export the bank as Moodle XML", tags=["interchange"],
                   responses=file_response(media_type, "a Moodle XML `<quiz>` document"),
                   description="The bank as Moodle XML multichoice questions (texts in Markdown, which Moodle "
                               "renders), for Moodle's question bank import. General feedback holds the "
                               "explanation, key points, references, domain, source and last-verified date; "
                               "tags carry the tags and the domain. Multiple-answer questions give each right "
                               "option 100/k and each wrong one -100: Moodle gives part credit for some of the "
                               "right options, this app none (the combined feedback says so). "
                               "409 while the caller has an unfinished exam.")
    def get(self, request):
        refuse_during_exam(request.user)
        return attachment(to_moodle_xml(bank()), self.media_type, "questions-moodle.xml")


class ExportGift(FileView):
    permission_classes = [IsInstructor]
    media_type, file_format = "text/plain", "gift"

    @extend_schema(operation_id="exportGift", summary="Export the bank as GIFT", tags=["interchange"],
                   responses=file_response(media_type, "GIFT text, UTF-8"),
                   description="The bank in Moodle's GIFT text format: `// [id:...]` and `// [tag:...]` comments, "
                               "`::title::[markdown]stem`, one line per option with its feedback after `#`, and "
                               "the general feedback (as in the Moodle XML export) after `####`. Multiple-answer "
                               "questions are weighted as in the Moodle XML export. "
                               "409 while the caller has an unfinished exam.")
    def get(self, request):
        refuse_during_exam(request.user)
        return attachment(to_gift(bank()).encode(), "text/plain; charset=utf-8", "questions.gift")


class ExportQti(FileView):
    permission_classes = [IsInstructor]
    media_type, file_format = "application/zip", "zip"

    @extend_schema(operation_id="exportQti", summary="Export the bank as a QTI 2.1 package", tags=["interchange"],
                   responses=file_response(media_type, "an IMS QTI 2.1 content package (zip)"),
                   description="The bank as an IMS QTI 2.1 content package, for LMS question-bank imports: "
                               "`imsmanifest.xml`, one `assessmentItem` a question (`items/q-ID.xml`, a "
                               "choiceInteraction scored all or nothing, each option's reason and the general "
                               "feedback as modal feedback) and an `assessmentTest` of them all. "
                               "409 while the caller has an unfinished exam.")
    def get(self, request):
        refuse_during_exam(request.user)
        return attachment(to_qti_package(bank()), self.media_type, "questions-qti21.zip")


class ExportAnki(FileView):
    permission_classes = [IsInstructor]
    media_type, file_format = "application/octet-stream", "apkg"

    @extend_schema(operation_id="exportAnki", summary="Export the bank as an Anki deck", tags=["interchange"],
                   responses=file_response(media_type, "an Anki package (`.apkg`)"),
                   description="The bank as an Anki deck: one note a question, the stem and options on the "
                               "front, the answer, each option's reason, the explanation and the source on the "
                               "back; tags and the domain as tags. A note's guid comes from the question's id, "
                               "so importing a newer export updates the notes. 409 while the caller has an "
                               "unfinished exam.")
    def get(self, request):
        refuse_during_exam(request.user)
        return attachment(to_apkg(bank()), self.media_type, "questions.apkg")


class ExportQuestionsCsv(FileView):
    permission_classes = [IsInstructor]
    media_type, file_format = "text/csv", "csv"

    @extend_schema(operation_id="exportQuestionsCsv", summary="Export the bank as CSV", tags=["interchange"],
                   responses=file_response(media_type, "CSV (RFC 4180, UTF-8 with a byte-order mark), one row a question"),
                   description="One row a question: id, title, domain, tags, source, last_verified, answers_required, "
                               "correct (the right labels), stem, option_A/why_A ... option_J/why_J, explanation, "
                               "more_precisely, key_points and references (one a line). Cells that a spreadsheet "
                               "would run as a formula start with an apostrophe. "
                               "409 while the caller has an unfinished exam.")
    def get(self, request):
        refuse_during_exam(request.user)
        return attachment(questions_csv(bank()), "text/csv; charset=utf-8", "questions.csv")


class ExportResultsCsv(FileView):
    permission_classes = [IsInstructor]
    media_type, file_format = "text/csv", "csv"

    @extend_schema(operation_id="exportResultsCsv", summary="Export learners' results as CSV", tags=["interchange"],
                   responses=file_response(media_type, "CSV (RFC 4180, UTF-8 with a byte-order mark), one row an answer"),
                   description="Every signed-in learner's answers, oldest first: attempt, user, question, selected "
                               "(labels), correct, seconds_on_question, answered_at (ISO 8601). Anonymous "
                               "learners' answers are not included. 409 while the caller has an unfinished exam.")
    def get(self, request):
        refuse_during_exam(request.user)
        attempts = (Attempt.objects.filter(user__isnull=False).select_related("user", "question")
                    .order_by("created_at", "id").iterator(chunk_size=2000))
        return attachment(results_csv(attempts), "text/csv; charset=utf-8", "results.csv")


IMPORT_REPORT = inline_serializer("ImportReport", {
    "dry_run": serializers.BooleanField(help_text="true: validated and reported, nothing written"),
    "created": serializers.ListField(child=serializers.CharField(), help_text="ids of new questions"),
    "updated": serializers.ListField(child=serializers.CharField(), help_text="ids of questions replaced"),
    "unchanged": serializers.ListField(child=serializers.CharField(), help_text="ids already as in the file"),
})
DRY_RUN = OpenApiParameter("dry_run", bool, description="`true`: check and report what would change, write nothing")


def uploaded(request) -> bytes:
    """The body as it came; DRF gives an empty body as {} rather than calling the parser."""
    body = request.data if isinstance(request.data, bytes) else b""
    if not body.strip():
        raise ValidationError({"(file)": ["the body is empty; send the file itself as the body"]})
    return body


def import_report(text, source: str, request) -> Response:
    dry_run = one(request, "dry_run", "false").lower()
    if dry_run not in ("true", "false"):
        raise ValidationError({"dry_run": ["true or false"]})
    try:
        report = import_text(text, source, dry_run=dry_run == "true")
    except LoadError as exc:
        errors = {f"{where}: {e.field}" if where != source else e.field: [e.message]
                  for where, problem in exc.problems.items() for e in problem.errors}
        raise ValidationError(errors) from None
    return Response({"dry_run": dry_run == "true", "created": report.created, "updated": report.updated,
                     "unchanged": report.unchanged})


class ImportMoodle(APIView):
    permission_classes = [IsInstructor]
    parser_classes = [file_parser("application/xml"), file_parser("text/xml")]

    @extend_schema(
        operation_id="importMoodle", summary="Import Moodle XML questions", tags=["interchange"], parameters=[DRY_RUN],
        request={"application/xml": {"type": "string", "format": "binary"}},
        responses={200: IMPORT_REPORT, 400: E, 401: E, 403: E, 429: E},
        examples=[OpenApiExample("Every question written", response_only=True, value={
            "dry_run": False, "created": ["moodle-2f1a9c0e4b7d"], "updated": ["1973"], "unchanged": []})],
        description="Instructors: the multichoice questions of a Moodle XML file (single and multiple answer), "
                    "validated as question files are and written all or nothing. `idnumber` is the question's "
                    "id (without one, an id from its name, so importing again updates); a fraction above 0 marks "
                    "a right option. Refused, naming the question and field, and nothing written: other question "
                    "types, part credit in a single-answer question, an option without feedback (this app "
                    "explains every option), and anything a question file could not hold.")
    def post(self, request):
        return import_report(uploaded(request), "upload.xml", request)


class ImportGift(APIView):
    permission_classes = [IsInstructor]
    parser_classes = [file_parser("text/plain")]

    @extend_schema(
        operation_id="importGift", summary="Import GIFT questions", tags=["interchange"], parameters=[DRY_RUN],
        request={"text/plain": {"type": "string"}}, responses={200: IMPORT_REPORT, 400: E, 401: E, 403: E, 429: E},
        description="Instructors: the multiple-choice questions of a GIFT file (UTF-8), validated as question files "
                    "are and written all or nothing. `// [id:...]` is the question's id (without one, an id from its "
                    "title and text, so importing again updates); `=` marks the right option of a single-answer "
                    "question, `~%n%` with n above 0 the right ones of a multiple-answer question. Refused, naming "
                    "the question's line and the field, and nothing written: other question types, part credit in "
                    "a single-answer question, an option without `#feedback`, and what a question file could not hold.")
    def post(self, request):
        try:
            text = uploaded(request).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"(file)": ["not UTF-8 text"]}) from None
        return import_report(text, "upload.gift", request)
