import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Quiz and QuizItem now belong to this app. Only Django's record of them moves: the models
    are recorded over the tables the questions app made (`db_table` keeps their names), so no row,
    sequence or foreign key in the database changes, on SQLite or PostgreSQL. Flag's link to the
    item is recorded as pointing here; questions 0006 then forgets its own copies."""

    dependencies = [
        ('questions', '0005_attempt_retry'),
        ('quizzes', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Quiz',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('mode', models.CharField(choices=[('practice', 'Practice'), ('exam', 'Exam')], default='practice', max_length=10)),
                        ('time_limit_s', models.PositiveIntegerField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quizzes', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'questions_quiz',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='QuizItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField()),
                        ('attempt', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='quiz_item', to='questions.attempt')),
                        ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='questions.question')),
                        ('quiz', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='quizzes.quiz')),
                    ],
                    options={
                        'db_table': 'questions_quizitem',
                        'ordering': ['position'],
                        'constraints': [models.UniqueConstraint(fields=('quiz', 'question'), name='unique_quiz_question')],
                    },
                ),
                migrations.AlterField(
                    model_name='flag',
                    name='item',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='flag', to='quizzes.quizitem'),
                ),
            ],
            database_operations=[],
        ),
    ]
