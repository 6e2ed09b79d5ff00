from django.contrib import admin
from django.template.loader import render_to_string

from questions.models import Attempt, Choice, Question, Tag


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["order", "label", "text", "is_correct", "why"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["external_id", "title", "domain", "last_verified", "updated_at"]
    list_filter = ["domain", "tags"]
    search_fields = ["external_id", "title", "stem"]
    filter_horizontal = ["tags"]
    inlines = [ChoiceInline]
    readonly_fields = ["preview", "content_hash"]
    fieldsets = [
        (None, {"fields": ["external_id", "title", "domain", "tags", "source", "last_verified"]}),
        ("Text (Markdown)", {"fields": ["stem", "explanation", "more_precisely", "key_points", "references"]}),
        ("Preview", {"fields": ["preview"], "description": "As learners see it, after saving."}),
        ("Loaded from", {"fields": ["content_hash"], "classes": ["collapse"]}),
    ]

    @admin.display(description="Rendered question")
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "Save to see a preview."
        return render_to_string("questions/_preview.html", {"question": obj})

    def save_model(self, request, obj, form, change):
        # An edit here diverges from the file; clearing the hash makes the next
        # `loadquestions` write the file's content back rather than skip it as unchanged.
        obj.content_hash = ""
        super().save_model(request, obj, form, change)


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["question", "user", "correct", "selected", "created_at"]
    list_filter = ["correct", "question"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


admin.site.register(Tag)
