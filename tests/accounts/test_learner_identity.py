"""One learner identity: every model whose rows a learner may own before signing in (it has the
anonymous-id column) is registered in accounts.identity, so the sign-in hook moves its rows to the
account. A new such model that is not registered fails here, before a learner loses its rows."""
from django.apps import apps
from django.conf import settings

from accounts import identity


def models_with_an_anonymous_owner():
    return {model for model in apps.get_models()
            if any(field.name == identity.ANON_FIELD for field in model._meta.get_fields())}


def test_every_model_with_an_anonymous_owner_is_registered():
    registered = {item.model for item in identity.registered()}
    unregistered = sorted(model._meta.label for model in models_with_an_anonymous_owner() - registered)
    assert unregistered == [], "register them with accounts.identity.register() in their app's ready()"
    # The scan sees the learner-owned models there are (attempts, review items, error reports).
    assert {"questions.Attempt", "review.ReviewItem", "reports.ErrorReport"} <= {
        model._meta.label for model in models_with_an_anonymous_owner()}


def test_every_registered_owner_is_an_optional_account_beside_the_anonymous_id():
    for item in identity.registered():
        account = item.model._meta.get_field(item.account_field)
        assert account.is_relation and account.related_model._meta.label == settings.AUTH_USER_MODEL, item
        assert account.null, f"{item.model._meta.label}.{item.account_field} must be empty for anonymous rows"
        assert item.model._meta.get_field(identity.ANON_FIELD).get_internal_type() == "CharField", item
