"""Courses for staff to look at and mend; instructors use the classroom pages (/classroom/)."""
from django.contrib import admin

from classroom.models import Assignment, AssignmentQuestion, Course, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "join_code", "external_id", "created_by", "created_at"]
    search_fields = ["title", "join_code", "external_id"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["created_by"]
    inlines = [MembershipInline]


class AssignmentQuestionInline(admin.TabularInline):
    model = AssignmentQuestion
    extra = 0
    raw_id_fields = ["question"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "kind", "opens_at", "due_at", "attempts_allowed"]
    list_filter = ["kind"]
    list_select_related = ["course"]
    search_fields = ["title", "course__title"]
    inlines = [AssignmentQuestionInline]
