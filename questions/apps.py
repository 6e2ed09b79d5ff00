from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "questions"
    verbose_name = "Question bank"

    def ready(self):
        from accounts import identity
        from questions.models import Attempt

        identity.register(Attempt)
