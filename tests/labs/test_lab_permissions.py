"""Every labs URL and action: instructors only. Learners get 403, anonymous visitors log in."""
from django.urls import reverse

from labs.models import Lab, LabEvent
from tests.support import PASSWORD


def urls(lab):
    return [
        ("get", reverse("labs:list"), {}),
        ("post", reverse("labs:list"), {"name": "x", "target": "local", "max_tasks": 2, "ttl_minutes": 10}),
        ("get", reverse("labs:detail", args=[lab.pk]), {}),
        ("get", reverse("labs:status", args=[lab.pk]), {}),
        ("post", reverse("labs:burst", args=[lab.pk]), {"count": 10, "batch_size": 1}),
        ("get", reverse("labs:teardown", args=[lab.pk]), {}),
        ("post", reverse("labs:teardown", args=[lab.pk]), {}),
        ("post", reverse("labs:retry_delete", args=[lab.pk]), {}),
    ]


def test_learners_get_403_on_every_labs_url_and_action(client, learner, lab):
    client.force_login(learner)
    for method, url, data in urls(lab):
        assert getattr(client, method)(url, data).status_code == 403, (method, url)
    lab.refresh_from_db()
    assert lab.status == Lab.Status.RUNNING and Lab.objects.count() == 1
    assert not LabEvent.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, lab):
    for method, url, data in urls(lab):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), (method, url)
    assert Lab.objects.count() == 1 and not LabEvent.objects.exists()


def test_staff_count_as_instructors(client, django_user_model, lab):
    staff = django_user_model.objects.create_user("staff", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("labs:list")).status_code == 200


def test_instructors_see_the_labs_page(client, instructor, lab):
    client.force_login(instructor)
    html = client.get(reverse("labs:list")).content.decode()
    assert "demo" in html and "Launch lab" in html
