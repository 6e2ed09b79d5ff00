from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Spaced review"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from questions.models import Attempt, Quiz
        from review import signals

        post_save.connect(signals.attempt_saved, sender=Attempt, dispatch_uid="review_attempt_saved")
        post_save.connect(signals.quiz_saved, sender=Quiz, dispatch_uid="review_quiz_saved")
        user_logged_in.connect(signals.merge_at_login, dispatch_uid="review_merge_at_login")
