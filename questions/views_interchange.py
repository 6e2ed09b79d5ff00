"""The bank's import page, for instructors: a Moodle XML, GIFT or Markdown question file read
through the loader's all-or-nothing path (questions.loader.import_text), as the API's imports
(/api/v1/import/...) and `manage.py loadquestions` are. A check-only run reports and writes
nothing; a refused file names each question and field, and nothing is written."""
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.roles import is_instructor
from questions.loader import LoadError, import_text

SUFFIX = {"moodle": ".xml", "gift": ".gift", "markdown": ".md"}  # what questions.loader.parse_text reads by
MAX_BYTES = 2_500_000  # as the API's bodies (questions/api/middleware.py)


class ImportForm(forms.Form):
    file = forms.FileField(label="Question file", help_text="UTF-8; at most 2.5 MB")
    format = forms.ChoiceField(label="Format", widget=forms.RadioSelect, initial="moodle",
                               choices=[("moodle", "Moodle XML (multichoice)"), ("gift", "GIFT"),
                                        ("markdown", "One Markdown question file, as questions/content/ holds")])
    dry_run = forms.BooleanField(required=False, label="Check only: report what would change, write nothing")


@login_required
@require_http_methods(["GET", "POST"])
def import_questions(request):
    if not is_instructor(request.user):
        raise PermissionDenied("Only instructors import questions.")
    form = ImportForm(request.POST or None, request.FILES or None)
    report, problems, status = None, [], 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            form.add_error("file", f"{upload.size:,} bytes; at most {MAX_BYTES:,}")
        else:
            source = Path(upload.name).stem + SUFFIX[form.cleaned_data["format"]]
            try:
                report = import_text(upload.read().decode("utf-8-sig"), source, dry_run=form.cleaned_data["dry_run"])
            except UnicodeDecodeError:
                form.add_error("file", "not UTF-8 text")
            except LoadError as exc:
                problems = [(where, e.field, e.message) for where, problem in exc.problems.items() for e in problem.errors]
    if request.method == "POST" and (form.errors or problems):
        status = 400
    return render(request, "questions/import.html", {"form": form, "report": report, "problems": problems,
                                                     "dry_run": form.cleaned_data.get("dry_run") if report else False},
                  status=status)
