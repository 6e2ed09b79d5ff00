from django import forms

from classroom.models import JOIN_CODE_LENGTH, Assignment, Course
from questions.models import Question, Tag
from quizzes import lifecycle, limits

MAX_DRILLS = 20


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title"]
        labels = {"title": "Course title"}


class JoinForm(forms.Form):
    code = forms.CharField(max_length=JOIN_CODE_LENGTH, min_length=JOIN_CODE_LENGTH, label="Join code",
                           help_text=f"The {JOIN_CODE_LENGTH} letters and digits your instructor gave you.")

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not Course.objects.filter(join_code=code).exists():
            raise forms.ValidationError("No course has this join code: check it with your instructor.")
        return code


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AssignmentForm(forms.Form):
    """What to assign and when. Quizzes and exams get their questions here, drawn once by the quiz
    engine's own chooser, so every learner answers the same questions (item analysis compares them)."""

    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Assignment.Kind.choices, widget=forms.RadioSelect, initial="practice")
    tag = forms.ChoiceField(required=False, label="Questions with tag")
    domain = forms.ChoiceField(required=False, label="Questions in domain")
    count = forms.IntegerField(min_value=limits.MIN_COUNT, max_value=limits.MAX_COUNT, initial=limits.DEFAULT_COUNT, required=False,
                               label="Number of questions (quiz, exam) or drills (drill set, at most 20)")
    question = forms.ChoiceField(required=False, label="The question (single question)")
    minutes = forms.IntegerField(min_value=limits.MIN_TIME_LIMIT_MINUTES, max_value=limits.MAX_TIME_LIMIT_MINUTES,
                                 required=False, initial=20, label="Time limit in minutes (exams)")
    opens_at = forms.DateTimeField(required=False, widget=DateTimeInput(), label="Opens (UTC)")
    due_at = forms.DateTimeField(required=False, widget=DateTimeInput(), label="Due (UTC)")
    attempts_allowed = forms.IntegerField(min_value=1, max_value=20, initial=1, label="Attempts allowed")
    show_answers_after_due = forms.BooleanField(required=False, initial=True,
                                                label="Show learners the answers once it is due")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", "Any tag")] + [(t, t) for t in Tag.objects.values_list("slug", flat=True)]
        domains = Question.objects.exclude(domain="").values_list("domain", flat=True).distinct().order_by("domain")
        self.fields["domain"].choices = [("", "Any domain")] + [(d, d) for d in domains]
        self.fields["question"].choices = [("", "Choose a question")] + [
            (q.external_id, f"#{q.external_id} {q.title}") for q in Question.objects.only("external_id", "title")]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Assignment.Kind.EXAM and not cleaned.get("minutes"):
            self.add_error("minutes", f"An exam needs a time limit: {limits.MIN_TIME_LIMIT_MINUTES} to "
                                      f"{limits.MAX_TIME_LIMIT_MINUTES:,} minutes.")
        if kind in (Assignment.Kind.PRACTICE, Assignment.Kind.EXAM, Assignment.Kind.DRILLS) and not cleaned.get("count"):
            self.add_error("count", "Say how many: 1 to 50 questions, or 1 to 20 drills.")
        if kind == Assignment.Kind.DRILLS and (cleaned.get("count") or 0) > MAX_DRILLS:
            self.add_error("count", f"A drill set has 1 to {MAX_DRILLS} drills.")
        if kind == Assignment.Kind.QUESTION and not cleaned.get("question"):
            self.add_error("question", "Choose the question to assign.")
        opens, due = cleaned.get("opens_at"), cleaned.get("due_at")
        if opens and due and due <= opens:
            self.add_error("due_at", "The due time must be after the opening time.")
        return cleaned

    def question_ids(self) -> list[int]:
        data = self.cleaned_data
        if data["kind"] == Assignment.Kind.QUESTION:
            return [Question.objects.get(external_id=data["question"]).pk]
        return lifecycle.choose_questions(tag=data["tag"], domain=data["domain"], count=data["count"])
