from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = "LTI 1.3 tool"

    def ready(self):
        from django.db.models.signals import post_save

        from classroom.models import AssignedQuiz
        from lti import grades

        # The quiz model is reached through classroom's link to it, not imported: it is moving
        # between apps, and this is the one place the LTI tool listens to it.
        quiz_model = AssignedQuiz._meta.get_field("quiz").related_model
        post_save.connect(grades.quiz_saved, sender=quiz_model, dispatch_uid="lti_quiz_saved")
