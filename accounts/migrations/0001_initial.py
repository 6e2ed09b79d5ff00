import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """API tokens move here from the questions app with their rows: first the model is recorded
    over the table questions made (no database change), then the table is renamed to this app's.
    A new database gets the same result by running questions' migrations first."""

    initial = True

    dependencies = [
        ('questions', '0004_apitoken_moves_to_accounts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key_hash', models.CharField(max_length=64, unique=True)),
                        ('prefix', models.CharField(help_text='first characters, to tell tokens apart', max_length=8)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={'db_table': 'questions_apitoken'},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='apitoken', table=None),
    ]
