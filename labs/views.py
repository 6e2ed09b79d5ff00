"""Instructor labs: create, watch, burst, tear down. Every view is instructors only."""
import datetime as dt

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from labs import operations
from labs.forms import BurstForm, LabForm
from labs.models import Lab
from labs.permissions import instructor_required


@instructor_required
@require_http_methods(["GET", "POST"])
def lab_list(request):
    operations.reap_expired()
    form = LabForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lab = form.save(commit=False)
        lab.owner = request.user
        lab.expires_at = timezone.now() + dt.timedelta(minutes=form.cleaned_data["ttl_minutes"])
        lab.save()
        operations.launch(lab, actor=request.user)
        return redirect("labs:detail", pk=lab.pk)
    labs = Lab.objects.select_related("owner")[:50]
    status = 400 if form.errors else 200
    return render(request, "labs/list.html", {"form": form, "labs": labs}, status=status)


@instructor_required
@require_GET
def lab_detail(request, pk):
    lab = get_object_or_404(Lab, pk=pk)
    return render(request, "labs/detail.html", {
        "lab": lab, "burst_form": BurstForm(), "events": lab.events.select_related("actor")[:100],
    })


@instructor_required
@require_GET
def lab_status(request, pk):
    """What the dashboard polls: the runtime's live figures plus the lab's own state."""
    lab = get_object_or_404(Lab, pk=pk)
    operations.reap_expired()
    lab.refresh_from_db()
    return JsonResponse(operations.status(lab))


@instructor_required
@require_POST
def lab_burst(request, pk):
    lab = get_object_or_404(Lab, pk=pk)
    form = BurstForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{f}: {' '.join(e)}" for f, e in form.errors.items()))
        return redirect("labs:detail", pk=lab.pk)
    try:
        sent = operations.burst(lab, form.cleaned_data["count"], form.cleaned_data["batch_size"], actor=request.user)
    except operations.LabNotRunning as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Sent {sent} jobs.")
    return redirect("labs:detail", pk=lab.pk)


@instructor_required
@require_POST
def lab_teardown(request, pk):
    lab = get_object_or_404(Lab, pk=pk)
    operations.teardown(lab, actor=request.user, reason="requested")
    messages.success(request, f"Lab “{lab.name}” is being torn down.")
    return redirect("labs:detail", pk=lab.pk)
