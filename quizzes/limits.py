"""The quiz limits, one table for the pages' forms, the API's serializers, `lifecycle.start` and
the schema (which states them through the serializers' min/max).

The shortest time limit is 60 s. The pages ask for whole minutes, so a minute is the shortest
limit both the pages and the API can state; the API used to take 30 s, which no page could set
or show as it was set, and a limit shorter than a minute is no exam of scenario-length questions
(reading one stem takes longer). The longest is a day, the pages' 1,440 minutes.
"""
MIN_COUNT = 1
MAX_COUNT = 50
DEFAULT_COUNT = 10

MIN_TIME_LIMIT_S = 60
MAX_TIME_LIMIT_S = 24 * 60 * 60
MIN_TIME_LIMIT_MINUTES = MIN_TIME_LIMIT_S // 60
MAX_TIME_LIMIT_MINUTES = MAX_TIME_LIMIT_S // 60

# How many of a learner's quizzes a list shows (pages and API): the newest ones.
LIST_CAP = 50


def check(*, count: int | None = None, time_limit_s: int | None = None) -> None:
    """ValueError naming the limit a value breaks: the forms and serializers refuse these first,
    this keeps any other caller of `lifecycle.start` inside the same table."""
    if count is not None and not MIN_COUNT <= count <= MAX_COUNT:
        raise ValueError(f"count must be {MIN_COUNT} to {MAX_COUNT}, not {count}")
    if time_limit_s is not None and not MIN_TIME_LIMIT_S <= time_limit_s <= MAX_TIME_LIMIT_S:
        raise ValueError(f"time_limit_s must be {MIN_TIME_LIMIT_S} to {MAX_TIME_LIMIT_S}, not {time_limit_s}")
