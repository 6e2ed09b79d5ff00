from tests.lti.support import lms  # noqa: F401  (the fixture, defined in support so the browser test shares it)
