from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "questions"
    verbose_name = "Question bank"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from questions.learner import merge_anonymous_attempts

        user_logged_in.connect(merge_anonymous_attempts, dispatch_uid="merge_anonymous_attempts")
