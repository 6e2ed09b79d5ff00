from django import forms

from reports.models import ErrorReport


class ReportForm(forms.ModelForm):
    class Meta:
        model = ErrorReport
        fields = ["part", "note"]
        labels = {"part": "Where is the error?", "note": "What is wrong? A source helps."}
        widgets = {"part": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 5, "maxlength": 2000})}
        error_messages = {"note": {"required": "Describe the error in a sentence or two.",
                                   "max_length": "At most 2,000 characters."}}


class TriageForm(forms.ModelForm):
    class Meta:
        model = ErrorReport
        fields = ["status", "response"]
        labels = {"response": "Reply to the reporter"}
        widgets = {"response": forms.Textarea(attrs={"rows": 2, "maxlength": 2000})}
