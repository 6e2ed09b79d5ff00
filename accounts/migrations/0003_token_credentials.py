import hashlib

from django.db import migrations, models


def fingerprint_existing_tokens(apps, schema_editor):
    """Tokens issued before this field existed are bound to their account's current password."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.select_related("user"):
        token.credentials = hashlib.sha256(token.user.password.encode()).hexdigest()
        token.save(update_fields=["credentials"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_login_failure_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="credentials",
            field=models.CharField(default="", editable=False, help_text="SHA-256 of the account's password hash when the token was issued", max_length=64),
        ),
        migrations.RunPython(fingerprint_existing_tokens, migrations.RunPython.noop),
    ]
