"""Who counts as an instructor: staff, or a member of the "instructors" group.

One definition for the quiz API (answer keys, question editing, export), the labs app and the
site's pages.
"""
INSTRUCTORS_GROUP = "instructors"


def is_instructor(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    # Cached on the user object: a page checks several times per request.
    cached = getattr(user, "_is_instructor", None)
    if cached is None:
        cached = user.groups.filter(name=INSTRUCTORS_GROUP).exists()
        user._is_instructor = cached
    return cached
