from django.db import migrations


class Migration(migrations.Migration):
    """API tokens now belong to the accounts app. Only Django's record of the model moves here; the
    table and its rows stay, and accounts' first migration takes them over."""

    dependencies = [
        ('questions', '0003_references_are_http_links'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ApiToken')],
            database_operations=[],
        ),
    ]
