from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Error reports"

    def ready(self):
        from accounts import identity
        from reports.models import ErrorReport

        identity.register(ErrorReport, account_field="reporter")
