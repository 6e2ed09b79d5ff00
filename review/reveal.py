"""A card is graded only once its answer was shown: showing it (the card page's "Show answer",
or the API's reveal) gives a signed token naming the item, and a grade must bring it back.
One rule for the page (review.views) and the API (review.api)."""
from django.core import signing

_SALT = "review.revealed"
MAX_AGE_S = 24 * 3600  # a card shown and left open overnight can still be graded


def token(item) -> str:
    return signing.dumps({"item": item.pk}, salt=_SALT)


def was_revealed(value: str, item) -> bool:
    try:
        return signing.loads(value, salt=_SALT, max_age=MAX_AGE_S).get("item") == item.pk
    except (signing.BadSignature, AttributeError, TypeError):
        return False
