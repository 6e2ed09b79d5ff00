from django import forms

from labs.aws_readiness import missing_settings
from labs.models import Lab
from reference_impl.deploy.config import MAX_TASKS_CAP, MAX_TTL_MINUTES, MIN_TTL_MINUTES, ConfigError, allowed_account_ids


def aws_labs_allowed() -> bool:
    """AWS labs only when LAB_ALLOWED_ACCOUNT_IDS names an account (the deployer's own rule)."""
    try:
        return bool(allowed_account_ids())
    except ConfigError:
        return False


class LabForm(forms.ModelForm):
    ttl_minutes = forms.IntegerField(
        label="Time limit (minutes)", min_value=5, max_value=MAX_TTL_MINUTES, initial=30,
        help_text=f"Torn down automatically when this passes (at most {MAX_TTL_MINUTES}).",
    )
    max_tasks = forms.IntegerField(
        label="Maximum workers", min_value=1, max_value=MAX_TASKS_CAP, initial=4,
        help_text=f"The autoscaler never runs more than this (at most {MAX_TASKS_CAP}).",
    )

    class Meta:
        model = Lab
        fields = ["name", "target", "max_tasks"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not aws_labs_allowed():
            # Not offered, and refused if posted: the choice would only fail after the click.
            self.fields["target"].choices = [(Lab.Target.LOCAL.value, Lab.Target.LOCAL.label)]
            self.fields["target"].help_text = ("AWS sandbox accounts are off on this server: ask the person who "
                                               "runs it to allow the school's sandbox account "
                                               "(setting LAB_ALLOWED_ACCOUNT_IDS).")

    def clean(self):
        cleaned = super().clean()
        ttl = cleaned.get("ttl_minutes")
        # An AWS stack takes minutes to create; its time limit must not pass before it is up.
        if cleaned.get("target") == Lab.Target.AWS and ttl is not None and ttl < MIN_TTL_MINUTES:
            self.add_error("ttl_minutes", f"An AWS lab needs at least {MIN_TTL_MINUTES} minutes: its stack takes "
                                          "minutes to create, and the time limit must not pass before it is up.")
        if cleaned.get("target") == Lab.Target.AWS:
            # Every missing setting at once, before a lab exists to fail on the first of them.
            for problem in missing_settings():
                self.add_error("target", problem)
        return cleaned


class BurstForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=5000, initial=300, label="Jobs to send")
    batch_size = forms.IntegerField(min_value=1, max_value=10, initial=1, label="Inputs per job")
