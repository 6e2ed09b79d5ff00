"""The suite hashes passwords with one fast hasher; the app itself keeps Django's."""
from django.contrib.auth.hashers import get_hasher

from tests.support import PASSWORD


def test_the_whole_suite_uses_the_fast_test_hasher(django_user_model, db):
    user = django_user_model.objects.create_user("ada", password=PASSWORD)
    assert user.password.startswith("md5$") and get_hasher().algorithm == "md5"


def test_the_app_settings_keep_djangos_strong_hashers():
    from studyapp import settings as app_settings

    assert not hasattr(app_settings, "PASSWORD_HASHERS")  # Django's default: PBKDF2 first
