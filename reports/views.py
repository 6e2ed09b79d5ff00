"""Report an error (any learner), see my reports and their outcome, triage (instructors only)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.identity import new_row_anon_id, owned_by_request, owner_fields
from accounts.roles import is_instructor
from questions.models import Question
from reports.forms import ReportForm, TriageForm
from reports.models import ErrorReport


@require_http_methods(["GET", "POST"])
def new(request, external_id):
    question = get_object_or_404(Question, external_id=external_id)
    form = ReportForm(request.POST or None, initial={"part": request.GET.get("part", "other")})
    if request.method == "POST" and form.is_valid():
        report = form.save(commit=False)
        report.question = question
        for field, value in owner_fields(ErrorReport, request.user, new_row_anon_id(request)).items():
            setattr(report, field, value)
        report.save()
        messages.success(request, "Thank you: an instructor will look at it. Its outcome appears under My reports.")
        return redirect("reports:mine")
    return render(request, "reports/new.html", {"form": form, "question": question},
                  status=400 if form.errors else 200)


def mine(request):
    reports = owned_by_request(ErrorReport.objects.all(), request).select_related("question")[:200]
    return render(request, "reports/mine.html", {"reports": reports})


def _instructor_only(request):
    if not is_instructor(request.user):
        raise PermissionDenied("Only instructors triage error reports.")


def triage(request):
    _instructor_only(request)
    status = request.GET.get("status", ErrorReport.Status.OPEN)
    if status not in ErrorReport.Status.values and status != "all":
        status = ErrorReport.Status.OPEN
    reports = ErrorReport.objects.select_related("question", "reporter")
    if status != "all":
        reports = reports.filter(status=status)
    rows = [{"report": r, "form": TriageForm(instance=r, prefix=f"r{r.pk}")} for r in reports[:200]]
    return render(request, "reports/triage.html", {"rows": rows, "status": status,
                                                   "statuses": ErrorReport.Status.values})


@require_POST
def decide(request, pk):
    _instructor_only(request)
    report = get_object_or_404(ErrorReport, pk=pk)
    form = TriageForm(request.POST, instance=report, prefix=f"r{pk}")
    if not form.is_valid():
        messages.error(request, "Choose a status: open, accepted, fixed or rejected.")
        return redirect("reports:triage")
    report = form.save(commit=False)
    report.triaged_by = request.user
    report.save()
    messages.success(request, f"Report {report.pk} is now {report.status}.")
    back = request.POST.get("back", "open")
    back = back if back in ErrorReport.Status.values or back == "all" else "open"
    return redirect(f"{reverse('reports:triage')}?status={back}")
