from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.template.loader import render_to_string

from questions.content_format import check_text
from questions.loader import file_backed
from questions.models import Attempt, Choice, Question, Tag


def checked_texts(*names, section=(), prefix=""):
    """A ModelForm base whose `names` are checked by the loader's text rules (no control
    characters; lengths; in `section` fields, no line a question file reads as a section
    heading), so what the admin saves also exports and loads back. `prefix`: how question files
    name the model's fields ("options." for a choice's)."""
    def clean_field(name):
        def clean(self):
            text, problems = check_text(self.cleaned_data.get(name, ""), prefix + name, section=name in section)
            if problems:
                raise forms.ValidationError([p.message for p in problems])
            return text
        return clean
    return type("CheckedTexts", (forms.ModelForm,), {f"clean_{n}": clean_field(n) for n in names})


class ChoiceInline(admin.TabularInline):
    model = Choice
    form = checked_texts("text", "why", prefix="options.")
    extra = 0
    fields = ["order", "label", "text", "is_correct", "why"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["external_id", "title", "domain", "from_file", "last_verified", "updated_at"]
    list_filter = ["domain", "tags"]
    search_fields = ["external_id", "title", "stem"]
    filter_horizontal = ["tags"]
    inlines = [ChoiceInline]
    form = checked_texts("title", "stem", "explanation", "more_precisely", "domain", "source",
                         section=("stem", "explanation", "more_precisely"))
    readonly_fields = ["loaded_from", "preview", "content_hash"]
    fieldsets = [
        (None, {"fields": ["loaded_from", "external_id", "title", "domain", "tags", "source", "last_verified"]}),
        ("Text (Markdown)", {"fields": ["stem", "explanation", "more_precisely", "key_points", "references"]}),
        ("Preview", {"fields": ["preview"], "description": "As learners see it, after saving."}),
        ("Loaded from", {"fields": ["content_hash"], "classes": ["collapse"]}),
    ]

    def _source(self, obj):
        return file_backed().get(obj.external_id) if obj is not None else None

    @admin.display(boolean=True, description="From a file")
    def from_file(self, obj):
        return self._source(obj) is not None

    @admin.display(description="Loaded from")
    def loaded_from(self, obj):
        return self.overwrite_warning(obj) or "No file: the question lives only in the database " \
                                              "(`manage.py exportquestions` writes it to one)."

    def overwrite_warning(self, obj) -> str | None:
        path = self._source(obj)
        return path and (f"#{obj.external_id} is loaded from {path.relative_to(settings.BASE_DIR)}: the next "
                         "`manage.py loadquestions` (every `make run`) replaces edits made here with the file's "
                         "content. Make the change in the file to keep it.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            warning = obj is not None and self.overwrite_warning(obj)
            if warning:
                self.message_user(request, warning, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

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
        warning = self.overwrite_warning(obj)
        if warning:
            self.message_user(request, warning, messages.WARNING)


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["question", "user", "correct", "selected", "created_at"]
    list_filter = ["correct", "question"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


admin.site.register(Tag)
