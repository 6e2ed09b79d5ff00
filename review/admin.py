from django.contrib import admin

from review.models import Review, ReviewItem


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    list_display = ["question", "kind", "point", "user", "due", "state"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["user", "question"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["item", "rating", "source", "reviewed_at", "due_after"]
    list_filter = ["source", "rating"]
    raw_id_fields = ["item", "attempt"]
