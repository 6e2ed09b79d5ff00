from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quiz and exam pages"

    def ready(self):
        # The answering service (questions) states the exam lock; the exams are this app's.
        from questions import answering
        from quizzes.exam_lock import OpenExams

        answering.register_exams(OpenExams())
