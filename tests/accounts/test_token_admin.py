from django.urls import reverse

from accounts.authentication import issue_token
from accounts.models import ApiToken


def test_an_admin_sees_tokens_by_prefix_and_revokes_one(admin_client, learner):
    token, key = issue_token(learner)
    page = admin_client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert token.prefix in page and key not in page
    response = admin_client.post(reverse("admin:accounts_apitoken_delete", args=[token.pk]), {"post": "yes"})
    assert response.status_code == 302 and not ApiToken.objects.exists()


def test_tokens_are_not_made_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
