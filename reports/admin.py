"""Triage in the admin too, for instructors (staff, or the instructors group given admin access)."""
from django.contrib import admin

from accounts.roles import is_instructor
from reports.models import ErrorReport


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ["id", "question", "part", "status", "reporter", "created_at"]
    list_filter = ["status", "part"]
    list_editable = ["status"]
    search_fields = ["note", "question__external_id"]
    readonly_fields = ["question", "part", "note", "reporter", "anon_id", "created_at", "updated_at", "triaged_by"]
    fields = ["question", "part", "note", "reporter", "status", "response", "triaged_by", "created_at"]

    def has_module_permission(self, request):
        return is_instructor(request.user)

    def has_view_permission(self, request, obj=None):
        return is_instructor(request.user)

    def has_change_permission(self, request, obj=None):
        return is_instructor(request.user)

    def has_add_permission(self, request):
        return False  # reports come from learners

    def save_model(self, request, obj, form, change):
        obj.triaged_by = request.user
        super().save_model(request, obj, form, change)
