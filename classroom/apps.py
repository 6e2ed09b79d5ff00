from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    name = "classroom"
    verbose_name = "Classroom"

    def ready(self):
        # The answering service (questions) states the key rule; the due times are this app's.
        from classroom.after_due import AnswersAfterDue
        from questions import answering

        answering.register_hider(AnswersAfterDue())
