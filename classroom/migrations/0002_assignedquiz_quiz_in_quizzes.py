import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Quiz moved to the quizzes app over the same table (quizzes 0002): the link is recorded as
    pointing there; the column and its foreign key are unchanged."""

    dependencies = [
        ('classroom', '0001_initial'),
        ('quizzes', '0002_quiz_and_quizitem_move_here'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='assignedquiz',
                    name='quiz',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='assignment_link', to='quizzes.quiz'),
                ),
            ],
            database_operations=[],
        ),
    ]
