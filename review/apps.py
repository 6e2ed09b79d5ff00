from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Spaced review"

    def ready(self):
        from django.db.models.signals import post_save, pre_save

        from accounts import identity
        from questions.models import Attempt
        from quizzes.models import Quiz
        from review import scheduling, signals
        from review.models import ReviewItem, ReviewSettings

        pre_save.connect(signals.attempt_saving, sender=Attempt, dispatch_uid="review_attempt_saving")
        post_save.connect(signals.attempt_saved, sender=Attempt, dispatch_uid="review_attempt_saved")
        post_save.connect(signals.quiz_saved, sender=Quiz, dispatch_uid="review_quiz_saved")
        # Where the anonymous learner and the account both have an item, the one reviewed last wins.
        identity.register(ReviewItem, move=scheduling.merge_anonymous)
        # Settings: the account's own win over the anonymous learner's.
        identity.register(ReviewSettings, move=scheduling.merge_anonymous_settings)
