from django import forms
from django.db import models
from lti_tool.models import LtiRegistration

from classroom.models import Assignment
from questions.models import Question


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"   # an LMS endpoint typed without its scheme is an HTTPS one
    return field.formfield(**kwargs)


class RegistrationForm(forms.ModelForm):
    deployment_ids = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text="One deployment ID a line, as the LMS shows it; launches from other deployments are refused "
                  "until activated here.")
    frame_origins = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text="Origins the LMS shows the tool from (its pages' address, e.g. https://school.instructure.com), "
                  "one a line; empty: the issuer's and the auth URL's origins.")

    class Meta:
        model = LtiRegistration
        formfield_callback = _formfield
        fields = ["name", "issuer", "client_id", "auth_url", "token_url", "keyset_url", "audience"]
        help_texts = {"audience": "Only if the platform's token endpoint wants an audience other than its URL."}

    def clean_frame_origins(self):
        lines = [line.strip().rstrip("/") for line in self.cleaned_data["frame_origins"].splitlines() if line.strip()]
        for line in lines:
            if not line.startswith("https://") and not line.startswith("http://") or line.count("/") > 2:
                raise forms.ValidationError(f"{line!r} is not an origin: scheme and host only, e.g. https://lms.example.")
        return "\n".join(lines)

    def deployment_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["deployment_ids"].splitlines() if line.strip()]


class PickAssignmentForm(forms.Form):
    assignment = forms.ModelChoiceField(queryset=Assignment.objects.none(), empty_label=None)

    def __init__(self, course, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = course.assignments.all()


class DeepLinkForm(forms.Form):
    KINDS = [("assignment", "One of this course's assignments"), ("question", "A single question"),
             ("drills", "A drill set"), ("labs", "The instructor labs page")]
    kind = forms.ChoiceField(choices=KINDS, widget=forms.RadioSelect)
    assignment = forms.ModelChoiceField(queryset=Assignment.objects.none(), required=False)
    question = forms.SlugField(required=False, label="Question ID", help_text="The question's ID, as on its page (e.g. sqs-backlog-1)")
    drills = forms.IntegerField(min_value=1, max_value=20, required=False, initial=5, label="Drills in the set")

    def __init__(self, course, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = course.assignments.all()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == "assignment" and not data.get("assignment"):
            self.add_error("assignment", "Choose one of the course's assignments.")
        if kind == "question":
            question = Question.objects.filter(external_id=data.get("question")).first()
            if question is None:
                self.add_error("question", "No question has this ID.")
            data["question_obj"] = question
        if kind == "drills" and not data.get("drills"):
            self.add_error("drills", "How many drills, from 1 to 20.")
        return data
