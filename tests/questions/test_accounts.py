import pytest
from django.urls import reverse

from questions.models import Attempt
from tests.support import PASSWORD


def answer(client, label="A"):
    client.post(reverse("questions:detail", args=["1973"]), {"selected": label})


def test_signing_up_moves_anonymous_attempts_to_the_account(client, q1973, django_user_model):
    answer(client, "A")
    answer(client, "D")
    response = client.post(reverse("signup"), {"username": "ada", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    user = django_user_model.objects.get(username="ada")
    assert Attempt.objects.filter(user=user).count() == 2
    assert not Attempt.objects.filter(user__isnull=True).exists()


def test_logging_in_moves_anonymous_attempts_to_the_account(client, q1973, django_user_model):
    user = django_user_model.objects.create_user("bob", password=PASSWORD)
    answer(client, "B")
    response = client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert Attempt.objects.get().user == user


def test_another_sessions_anonymous_attempts_stay_put(client, q1973, django_user_model):
    from django.test import Client

    stranger = Client()
    answer(stranger, "C")
    django_user_model.objects.create_user("cy", password=PASSWORD)
    client.post(reverse("login"), {"username": "cy", "password": PASSWORD})
    assert Attempt.objects.get().user is None


def test_history_shows_only_my_attempts(client, q1973, django_user_model):
    from django.test import Client

    answer(Client(), "C")
    answer(client, "D")
    html = client.get(reverse("progress:history")).content.decode()
    assert html.count("<tr>") == 2  # header row plus my one attempt


def test_signup_errors_are_shown(client, db):
    response = client.post(reverse("signup"), {"username": "x", "password1": "short", "password2": "other"})
    assert response.status_code == 400
    assert "The two password fields" in response.content.decode()


def test_logout_is_a_post(client, django_user_model, db):
    django_user_model.objects.create_user("dee", password=PASSWORD)
    client.login(username="dee", password=PASSWORD)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_history_hides_answers_of_an_exam_still_in_progress(client, q1973, learner):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(learner)
    quiz = api.post("/api/v1/quizzes/", {"count": 1, "mode": "exam"}, format="json").json()
    api.post(f"/api/v1/quizzes/{quiz['id']}/answers/", {"question": "1973", "selected": ["D"]}, format="json")
    client.force_login(learner)
    during = client.get(reverse("progress:history")).content.decode()
    assert "No single answers yet" in during and "hidden until submitted" in during and "1 / 1" not in during
    api.post(f"/api/v1/quizzes/{quiz['id']}/finish/")
    after = client.get(reverse("progress:history")).content.decode()
    assert "1 / 1" in after.split('data-history="exam"')[1]  # the exam's score, its answer right
