import time

from django import forms
from django.core import signing


# The page carries a signed timestamp of when it was shown, so the time a learner spent on a
# question is measured without JavaScript and cannot be forged.
_SALT = "questions.shown-at"
MAX_SECONDS = 24 * 3600


def sign_shown_at() -> str:
    return signing.dumps(time.time(), salt=_SALT)


def seconds_since(token: str) -> int | None:
    try:
        shown = signing.loads(token, salt=_SALT, max_age=MAX_SECONDS)
    except (signing.BadSignature, TypeError):
        return None
    return max(0, min(MAX_SECONDS, round(time.time() - float(shown))))


class AnswerForm(forms.Form):
    """Choices for one question: radio buttons for one answer, checkboxes for several."""

    shown_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, question, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        choices = [(c.label, c.label) for c in question.choices.all()]
        many = question.answers_required > 1
        field_class = forms.MultipleChoiceField if many else forms.ChoiceField
        widget = forms.CheckboxSelectMultiple if many else forms.RadioSelect
        self.fields["selected"] = field_class(
            choices=choices, widget=widget,
            error_messages={"required": "Choose an option before submitting." if not many else
                            f"Choose {question.answers_required} options before submitting."},
        )
        self.grade_result = None

    def clean(self):
        cleaned = super().clean()
        selected = cleaned.get("selected")
        if selected is None:
            return cleaned
        sent = self.data.getlist("selected") if hasattr(self.data, "getlist") else [selected]
        if self.question.answers_required == 1 and len(sent) > 1:
            # A radio group sends one value; more means a hand-made request, not a choice to grade.
            self.add_error("selected", f"Choose exactly one option; {len(sent)} were sent.")
        return cleaned

    def labels(self) -> list[str]:
        """The chosen option labels, for questions.answering.answer (which grades them)."""
        selected = self.cleaned_data["selected"]
        return selected if isinstance(selected, list) else [selected]

    def refuse(self, exc) -> int:
        """Show one of questions.answering.REFUSALS beside the choices; the page's status code."""
        self.add_error("selected", exc.message[:1].upper() + exc.message[1:] + ".")
        return 409 if exc.conflict else 400
