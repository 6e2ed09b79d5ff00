"""Instructor labs: create, watch, burst, tear down. Every view is instructors only.

No view waits on AWS or sends jobs: bursts and polls are background tasks (labs/tasks.py); the
views record what was asked and read what the tasks wrote.
"""
import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from labs import operations, tasks
from labs.forms import BurstForm, LabForm
from labs.models import Lab
from labs.permissions import instructor_required


@instructor_required
@require_http_methods(["GET", "POST"])
def lab_list(request):
    form = LabForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lab = form.save(commit=False)
        lab.owner = request.user
        lab.expires_at = timezone.now() + dt.timedelta(minutes=form.cleaned_data["ttl_minutes"])
        with transaction.atomic():
            lab.save()
            operations.launch(lab, actor=request.user)
        tasks.ensure_ticking()
        return redirect("labs:detail", pk=lab.pk)
    tasks.ensure_ticking()
    labs = Lab.objects.select_related("owner")[:50]
    stuck = Lab.objects.filter(status=Lab.Status.DELETE_FAILED).select_related("owner")
    status = 400 if form.errors else 200
    return render(request, "labs/list.html", {"form": form, "labs": labs, "stuck": stuck}, status=status)


@instructor_required
@require_POST
def check_aws(request):
    """The "Check this account" button: `plan`'s read-only checks, every failure listed at once.
    The one view that waits on AWS, and only when asked (a few read calls)."""
    from labs.aws_readiness import account_checks

    problems = account_checks(request.user.get_username())
    form = LabForm()
    labs = Lab.objects.select_related("owner")[:50]
    stuck = Lab.objects.filter(status=Lab.Status.DELETE_FAILED).select_related("owner")
    return render(request, "labs/list.html", {"form": form, "labs": labs, "stuck": stuck,
                                              "aws_checked": True, "aws_problems": problems})


@instructor_required
@require_GET
def lab_detail(request, pk):
    tasks.ensure_ticking()
    lab = get_object_or_404(Lab, pk=pk)
    return render(request, "labs/detail.html", {
        "lab": lab, "burst_form": BurstForm(), "burst": lab.bursts.first(), "metrics": operations.metrics(lab),
        "events": lab.events.select_related("actor")[:100], "poll_ms": int(tasks.poll_s(lab) * 1000),
        "poll_s": f"{tasks.poll_s(lab):g}",
    })


STALE_AFTER_POLLS = 3  # this many polls missed: the status poll restarts the tick chain
SINCE_MAX = 253_402_300_799.0  # 9999-12-31T23:59:59Z, the last second a datetime holds


@instructor_required
@require_GET
def lab_status(request, pk):
    """What the dashboard polls: what the background poll last read, the series after `since`
    (a Unix time, optional) and the newest burst's progress. Reads the database only."""
    lab = get_object_or_404(Lab, pk=pk)
    since = request.GET.get("since")
    if since is not None:
        try:
            since = float(since)
        except ValueError:
            since = None
        # nan, inf, 1e400 and 9e18 parse as floats, which no datetime can hold (once a 500).
        if since is None or not 0 <= since <= SINCE_MAX:
            return JsonResponse({"detail": f"since: expected a Unix time in seconds from 0 to {SINCE_MAX:.0f}, "
                                           "such as 1733050000.5", "field": "since"}, status=400)
    # Reads only: a poll every few seconds per viewer must not take SQLite's write lock from the
    # job worker. Only when the figures have gone stale (the tick chain died) does it restart it.
    if lab.is_active and (lab.live_at is None
                          or (timezone.now() - lab.live_at).total_seconds() > STALE_AFTER_POLLS * tasks.poll_s(lab)):
        tasks.ensure_ticking()
    return JsonResponse(operations.status(lab, since=since))


@instructor_required
@require_POST
def lab_burst(request, pk):
    lab = get_object_or_404(Lab, pk=pk)
    form = BurstForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{f}: {' '.join(e)}" for f, e in form.errors.items()))
        return redirect("labs:detail", pk=lab.pk)
    try:
        burst = operations.request_burst(lab, form.cleaned_data["count"], form.cleaned_data["batch_size"],
                                         actor=request.user)
    except operations.LabNotRunning as exc:
        messages.error(request, str(exc))
    else:
        tasks.start_burst(burst)
        messages.success(request, f"Sending {burst.count} jobs in the background; progress shows below.")
    return redirect("labs:detail", pk=lab.pk)


@instructor_required
@require_http_methods(["GET", "POST"])
def lab_teardown(request, pk):
    """GET asks for confirmation (a page, so it works without JavaScript); POST tears down."""
    lab = get_object_or_404(Lab, pk=pk)
    if request.method == "GET":
        return render(request, "labs/teardown_confirm.html", {"lab": lab})
    operations.teardown(lab, actor=request.user, reason="requested")
    messages.success(request, f"Lab “{lab.name}” is being torn down.")
    return redirect("labs:detail", pk=lab.pk)


@instructor_required
@require_POST
def lab_retry_delete(request, pk):
    lab = get_object_or_404(Lab, pk=pk)
    if operations.retry_delete(lab, actor=request.user):
        messages.success(request, f"Deleting the stack of “{lab.name}” again.")
    else:
        messages.error(request, f"Lab “{lab.name}” is {lab.get_status_display()}, not waiting for a retry.")
    return redirect("labs:list")
