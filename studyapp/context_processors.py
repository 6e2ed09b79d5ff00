from accounts.roles import is_instructor


def roles(request):
    """Lets templates show instructor-only links without repeating the rule."""
    return {"is_instructor": is_instructor(getattr(request, "user", None))}
