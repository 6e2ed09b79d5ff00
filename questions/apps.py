from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "questions"
    verbose_name = "Question bank"

    def ready(self):
        from accounts import identity
        from questions import versions  # noqa: F401 (connects the tag receivers that move question versions)
        from questions.models import Attempt

        identity.register(Attempt)
