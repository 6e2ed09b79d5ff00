"""API shapes. Fields are listed explicitly everywhere: a new model column never leaks by itself,
and the answer key appears only in the serializers that are meant to show it."""
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from questions.field_limits import FIELDS, MAX_ITEMS, MAX_OPTIONS, MIN_OPTIONS
from questions.models import Attempt, Choice, Question
from questions.rendering import render_markdown
from reference_impl import simulate


def label_field() -> serializers.RegexField:
    """An option label; a new field each time (a field belongs to the one serializer it is bound in)."""
    return serializers.RegexField(rf"^{FIELDS['options.label'].pattern}$", max_length=FIELDS["options.label"].max_length,
                                  error_messages={"invalid": f"an option label, {FIELDS['options.label'].allowed}"})


LABEL = label_field()


class OutputSerializer(serializers.ModelSerializer):
    """Only ever written out: the model's fields are read-only, so the schema marks each one
    required in responses (as it always is there), not optional because the model allows blanks."""

    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra.setdefault(name, {})["read_only"] = True
        return extra


class OptionSerializer(OutputSerializer):
    text_html = serializers.SerializerMethodField()

    class Meta:
        model = Choice
        fields = ["label", "text", "text_html"]

    def get_text_html(self, choice) -> str:
        return str(render_markdown(choice.text))


class OptionWithAnswerSerializer(OptionSerializer):
    correct = serializers.BooleanField(source="is_correct")
    why_html = serializers.SerializerMethodField()

    class Meta:
        model = Choice
        fields = ["label", "text", "text_html", "correct", "why", "why_html"]

    def get_why_html(self, choice) -> str:
        return str(render_markdown(choice.why))


class ReferenceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.URLField()


# Which of the two shapes a question detail is: generated clients pick the type from it (the
# schema's discriminator, studyapp/api/schema.py), and a reader sees whether the key is in it.
VIEW_PUBLIC, VIEW_ANSWERS = "public", "answers"


@extend_schema_serializer(component_name="QuestionSummary")  # not "QuestionList": lists of it read "QuestionListList"
class QuestionListSerializer(OutputSerializer):
    id = serializers.CharField(source="external_id")
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")  # type: ignore[var-annotated]
    answers_required = serializers.IntegerField(read_only=True)

    class Meta:
        model = Question
        fields = ["id", "title", "domain", "tags", "answers_required", "last_verified"]


@extend_schema_serializer(component_name="QuestionDetail")
class QuestionDetailSerializer(QuestionListSerializer):
    view = serializers.SerializerMethodField(help_text="`public`: no answer key; `answers`: with the key (`?include=answers`)")
    stem_html = serializers.SerializerMethodField()
    options = OptionSerializer(source="choices", many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["view", "id", "title", "domain", "tags", "answers_required", "last_verified", "source",
                  "stem", "stem_html", "options"]

    @extend_schema_field(serializers.ChoiceField(choices=[VIEW_PUBLIC]))
    def get_view(self, question) -> str:
        return VIEW_PUBLIC

    def get_stem_html(self, question) -> str:
        return str(render_markdown(question.stem))


@extend_schema_serializer(component_name="QuestionWithAnswers")
class QuestionWithAnswersSerializer(QuestionDetailSerializer):
    """For instructors who ask (?include=answers): the key and every explanation."""

    options = OptionWithAnswerSerializer(source="choices", many=True, read_only=True)
    correct_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    key_points = serializers.ListField(child=serializers.CharField(), read_only=True)
    references = ReferenceSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = QuestionDetailSerializer.Meta.fields + [
            "correct_labels", "explanation", "more_precisely", "key_points", "references"]

    @extend_schema_field(serializers.ChoiceField(choices=[VIEW_ANSWERS]))
    def get_view(self, question) -> str:
        return VIEW_ANSWERS


class ReferenceInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=FIELDS["references.title"].max_length)
    url = serializers.CharField(max_length=FIELDS["references.url"].max_length, help_text="an http:// or https:// URL")


class OptionInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=FIELDS["options.label"].max_length)  # type: ignore[assignment]  # an API field named like a DRF attribute (the stubs type those)
    text = serializers.CharField(max_length=FIELDS["options.text"].max_length)
    correct = serializers.BooleanField()
    why = serializers.CharField(max_length=FIELDS["options.why"].max_length)


class StatedCountList(serializers.ListSerializer):
    """A list whose count the schema states (minItems, maxItems: studyapp/api/schema.py) and
    the loader's rules check with the others, so that one response reports every rule broken."""

    def __init__(self, *args, stated_items: tuple[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.stated_items = stated_items


class QuestionWriteSerializer(serializers.Serializer):
    """The question file's fields as JSON; checked by the same validation as the file loader."""

    id = serializers.CharField(max_length=FIELDS["id"].max_length)
    title = serializers.CharField(max_length=FIELDS["title"].max_length)
    stem = serializers.CharField(max_length=FIELDS["stem"].max_length)
    # How many (MIN_OPTIONS to MAX_OPTIONS) is checked with the loader's other rules, so one
    # response reports every rule the options break; the schema states it.
    options = StatedCountList(child=OptionInputSerializer(), stated_items=(MIN_OPTIONS, MAX_OPTIONS),
                              help_text=f"{MIN_OPTIONS} to {MAX_OPTIONS} options")
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=FIELDS["explanation"].max_length)
    more_precisely = serializers.CharField(required=False, allow_blank=True, max_length=FIELDS["more_precisely"].max_length)
    domain = serializers.CharField(required=False, allow_blank=True, max_length=FIELDS["domain"].max_length)
    tags = serializers.ListField(child=serializers.CharField(max_length=FIELDS["tags"].max_length), required=False,
                                 max_length=MAX_ITEMS["tags"])
    source = serializers.CharField(required=False, allow_blank=True, max_length=FIELDS["source"].max_length)  # type: ignore[assignment]  # an API field named like a DRF attribute (the stubs type those)
    last_verified = serializers.DateField(required=False, allow_null=True)
    key_points = serializers.ListField(child=serializers.CharField(max_length=FIELDS["key_points"].max_length),
                                       required=False, max_length=MAX_ITEMS["key_points"])
    references = ReferenceInputSerializer(many=True, required=False, max_length=MAX_ITEMS["references"])  # type: ignore[call-arg]  # many=True hands max_length to the ListSerializer; the stubs miss it


class AttemptCreateSerializer(serializers.Serializer):
    selected = serializers.ListField(child=LABEL, min_length=1, max_length=MAX_OPTIONS,
                                     help_text='Option labels, e.g. ["D"].')


class OptionFeedbackSerializer(OptionWithAnswerSerializer):
    chosen = serializers.SerializerMethodField()

    class Meta:
        model = Choice
        fields = OptionWithAnswerSerializer.Meta.fields + ["chosen"]

    def get_chosen(self, choice) -> bool:
        return choice.label in self.context.get("selected", ())


class AttemptResultSerializer(OutputSerializer):
    """What a learner gets back after answering: the outcome and every explanation."""

    question = serializers.CharField(source="question.external_id")
    selected = serializers.ListField(child=label_field(), read_only=True, help_text="the labels answered")
    correct_labels = serializers.ListField(child=serializers.CharField(), source="question.correct_labels")
    options = serializers.SerializerMethodField()
    explanation = serializers.CharField(source="question.explanation")
    more_precisely = serializers.CharField(source="question.more_precisely")
    key_points = serializers.ListField(child=serializers.CharField(), source="question.key_points")
    references = ReferenceSerializer(many=True, source="question.references")

    class Meta:
        model = Attempt
        fields = ["id", "question", "selected", "correct", "correct_labels", "options", "explanation",
                  "more_precisely", "key_points", "references", "created_at"]

    @extend_schema_field(OptionFeedbackSerializer(many=True))
    def get_options(self, attempt) -> list[dict]:
        return list(OptionFeedbackSerializer(attempt.question.choices.all(), many=True,
                                             context={"selected": attempt.selected}).data)


class AttemptSerializer(OutputSerializer):
    question = serializers.CharField(source="question.external_id")
    selected = serializers.ListField(child=label_field(), read_only=True, help_text="the labels answered")

    class Meta:
        model = Attempt
        fields = ["id", "question", "selected", "correct", "seconds_on_question", "created_at"]


def _overrides_schema() -> dict:
    """The names an override may set, each with its range, from the simulator's own tables
    (what `simulate.validate_overrides` enforces): any other name is refused, so the schema
    says so too. Cross-field rules (idle_days below days, runs too large) stay the code's."""
    limits = {name: (lo, hi, name in simulate.SCENARIO_WHOLE) for name, (lo, hi) in simulate.SCENARIO_LIMITS.items()}
    limits.update({p["name"]: (p["minimum"], p["maximum"], p["whole_number"]) for p in simulate.parameter_table()})
    return {"type": "object", "additionalProperties": False, "properties": {
        name: {"type": "integer" if whole else "number", "minimum": lo, "maximum": hi}
        for name, (lo, hi, whole) in sorted(limits.items())}}


class JSONNumber(serializers.FloatField):
    """A JSON number only: FloatField alone would take the string "3" and true as numbers,
    which the schema calls invalid."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(_overrides_schema())
class OverridesField(serializers.DictField):
    child = JSONNumber()


@extend_schema_serializer(component_name="Simulation")  # its request component: "SimulationRequest"
class SimulationRequestSerializer(serializers.Serializer):
    scenario = serializers.CharField(max_length=40, default="idle-then-burst")
    overrides = OverridesField(required=False, default=dict)
