"""Review like Anki, on FSRS: a retry after the key was shown is practice (kept, counted nowhere);
cards have a front, are graded only once revealed, show the scheduler's next interval on each
button and leave the queue when graded; the day is the learner's and rolls over at 4 a.m.;
desired retention per learner; the review log as CSV in Anki's revlog column order."""
import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from fsrs import Card, Rating, Scheduler
from rest_framework.test import APIClient

from questions import answering
from questions.models import Attempt
from review import revlog, scheduling
from review.models import Review, ReviewItem, ReviewSettings
from tests.support import PASSWORD

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


def answered_at(q, labels, moment, **who):
    """An answer through the answering service, made at `moment`, then scheduled as the signal
    does after commit (a test transaction never commits, so it is called here)."""
    attempt = answering.answer(q, labels, **who)
    Attempt.objects.filter(pk=attempt.pk).update(created_at=moment)
    attempt.refresh_from_db()
    scheduling.schedule_attempt(attempt)
    attempt.refresh_from_db()
    return attempt


def library_card(steps):
    """The same ratings at the same times, through py-fsrs's own scheduler."""
    sched = Scheduler(enable_fuzzing=False)
    card = Card(card_id=1, due=steps[0][1])
    for rating, moment in steps:
        card, _ = sched.review_card(card, rating, review_datetime=moment)
    return card


def assert_same_card(item, card):
    mine = Card.from_dict(item.card)
    assert (mine.state, mine.step, mine.due, mine.last_review) == (card.state, card.step, card.due, card.last_review)
    assert mine.stability == pytest.approx(card.stability) and mine.difficulty == pytest.approx(card.difficulty)


def test_one_wrong_then_four_right_in_80_s_is_two_reviews_as_the_library_schedules_them(q1973, learner):
    wrong = [c.label for c in q1973.choices.all() if not c.is_correct][:1]
    attempts = [answered_at(q1973, wrong, T0, user=learner)]
    attempts += [answered_at(q1973, ["D"], T0 + dt.timedelta(seconds=s), user=learner) for s in (20, 40, 61, 80)]
    assert [a.retry for a in attempts] == [False, True, True, False, True]  # 61 s: its 1-minute step was over
    item = ReviewItem.objects.get(user=learner, kind="question")
    assert list(item.reviews.order_by("reviewed_at").values_list("rating", flat=True)) == [1, 3]
    assert_same_card(item, library_card([(Rating.Again, T0), (Rating.Good, T0 + dt.timedelta(seconds=61))]))
    assert item.state == 1 and item.due == T0 + dt.timedelta(seconds=61 + 600)  # still learning, not "due in a day"


def test_two_right_answers_in_5_s_do_not_skip_the_10_minute_step(q1973, learner):
    first = answered_at(q1973, ["D"], T0, user=learner)
    second = answered_at(q1973, ["D"], T0 + dt.timedelta(seconds=5), user=learner)
    assert (first.retry, second.retry) == (False, True)
    item = ReviewItem.objects.get(user=learner, kind="question")
    assert item.reviews.count() == 1 and item.due == T0 + dt.timedelta(minutes=10)
    assert_same_card(item, library_card([(Rating.Good, T0)]))


def test_a_try_again_after_the_key_changes_no_score_and_history_marks_it(q1973, client, learner,
                                                                        django_capture_on_commit_callbacks):
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/questions/1973/", {"selected": "A"})
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post("/questions/1973/", {"selected": "D"})
    again = client.get(retried["Location"]).content.decode()
    assert "data-retry" in again and "not counted" in again
    assert "Last answer: incorrect" in client.get("/").content.decode()
    progress = client.get("/progress/").content.decode()
    assert re.search(r'"overall": \[0\.0\]', progress)  # the chart's data: one counted answer, wrong
    history = client.get("/history/").content.decode()
    assert history.count("data-retry") == 1 and "retry: practice, not counted" in history
    assert Review.objects.filter(item__kind="question").count() == 1


def test_a_card_has_a_front_is_graded_only_once_revealed_and_shows_the_schedulers_intervals(q1973, client, learner,
                                                                                           django_capture_on_commit_callbacks):
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/questions/1973/", {"selected": "D"})
    item = ReviewItem.objects.get(user=learner, kind="key_point", point=0)
    due_page = client.get("/review/").content.decode()
    assert "Use SQS for asynchronous APIs …" in due_page  # a cue to complete ...
    assert q1973.key_points[0] not in due_page             # ... not the point itself
    front = client.get(f"/review/{item.pk}/").content.decode()
    assert "data-front" in front and "data-back" not in front and 'name="rating"' not in front
    # A grade without the revealed back's token is refused, and nothing is scheduled.
    unseen = client.post(f"/review/{item.pk}/", {"rating": "easy"})
    assert unseen.status_code == 400 and "Show the answer before grading it." in unseen.content.decode()
    assert not item.reviews.exists()
    back = client.get(f"/review/{item.pk}/?show=1").content.decode()
    assert q1973.key_points[0] in back and "docs.aws.amazon.com" in back
    shown = dict(re.findall(r'value="(again|hard|good|easy)" class="button" data-interval="([^"]+)"', back))
    assert shown == {"again": "1 min", "hard": "6 min", "good": "10 min", "easy": shown["easy"]}
    expected = Scheduler(enable_fuzzing=False).review_card(Card.from_dict(item.card), Rating.Easy)[0].due - timezone.now()
    assert shown["easy"] == f"{round(expected.total_seconds() / 86400)} d"
    token = re.search(r'name="shown" value="([^"]+)"', back).group(1)
    before = client.get("/review/").content.decode()
    count = int(re.search(r'data-due-count="(\d+)"', before).group(1))
    client.post(f"/review/{item.pk}/", {"rating": "good", "shown": token})
    after = client.get("/review/").content.decode()
    assert f'data-review-item="{item.pk}"' not in after  # due in 10 minutes: out of the queue until then
    assert int(re.search(r'data-due-count="(\d+)"', after).group(1)) == count - 1
    # The same token again: the card is not due, so a second grade of one showing is refused.
    twice = client.post(f"/review/{item.pk}/", {"rating": "easy", "shown": token})
    assert twice.status_code == 409 and item.reviews.count() == 1
    api = APIClient()
    api.force_authenticate(learner)
    assert api.post("/api/v1/review/reviews/", {"item": item.pk, "rating": "easy", "revealed": token},
                    format="json").status_code == 409


def test_the_api_grades_a_card_only_once_its_answer_was_revealed(q1973, learner, other_learner):
    item = scheduling.items_for(q1973, user=learner, now=T0)
    api = APIClient()
    api.force_authenticate(learner)
    due = api.get("/api/v1/review/due/").json()
    assert item.pk in [d["id"] for d in due] and all("prompt" not in d for d in due)  # fronts only
    unseen = api.post("/api/v1/review/reviews/", {"item": item.pk, "rating": "easy"}, format="json")
    assert unseen.status_code == 400 and unseen.json()["errors"]["revealed"]
    forged = api.post("/api/v1/review/reviews/", {"item": item.pk, "rating": "easy", "revealed": "x"}, format="json")
    assert forged.status_code == 400 and "reveal its answer first" in forged.json()["errors"]["revealed"][0]
    assert not item.reviews.exists()
    shown = api.get(f"/api/v1/review/items/{item.pk}/answer/").json()
    assert shown["prompt"] == item.prompt and set(shown["intervals"]) == {"again", "hard", "good", "easy"}
    expected = Scheduler(enable_fuzzing=False).review_card(Card.from_dict(item.card), Rating.Good)[0].due
    assert abs(dt.datetime.fromisoformat(shown["intervals"]["good"].replace("Z", "+00:00")) - expected) < dt.timedelta(seconds=5)
    other_item = scheduling.items_for(q1973, user=other_learner, now=T0)
    theirs = APIClient()
    theirs.force_authenticate(other_learner)
    assert theirs.get(f"/api/v1/review/items/{item.pk}/answer/").status_code == 404  # not theirs
    stolen = theirs.get(f"/api/v1/review/items/{other_item.pk}/answer/").json()["revealed"]
    wrong_item = api.post("/api/v1/review/reviews/", {"item": item.pk, "rating": "good", "revealed": stolen}, format="json")
    assert wrong_item.status_code == 400 and not item.reviews.exists()  # a token names its own item only
    graded = api.post("/api/v1/review/reviews/", {"item": item.pk, "rating": "good", "revealed": shown["revealed"]},
                      format="json")
    assert graded.status_code == 201 and item.reviews.count() == 1


def test_the_day_rolls_over_at_4_am_in_the_learners_zone(q1973, learner):
    ReviewSettings.objects.create(user=learner, time_zone="America/New_York")
    now = dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.timezone.utc)  # 03:30 in New York: still 6 December there
    tz = scheduling.zone(scheduling.settings_for(learner))
    start, end = scheduling.day_bounds(now, tz)
    assert (start.isoformat(), end.isoformat()) == ("2026-12-06T04:00:00-05:00", "2026-12-07T04:00:00-05:00")
    scheduling.items_for(q1973, user=learner, now=now)
    items = list(ReviewItem.objects.filter(user=learner).order_by("pk"))
    ReviewItem.objects.filter(pk=items[0].pk).update(due=dt.datetime(2026, 12, 7, 8, 55, tzinfo=dt.timezone.utc))
    ReviewItem.objects.filter(pk=items[1].pk).update(due=dt.datetime(2026, 12, 7, 9, 5, tzinfo=dt.timezone.utc))
    ReviewItem.objects.filter(pk__in=[i.pk for i in items[2:]]).update(due=now + dt.timedelta(days=3))
    assert list(scheduling.later_today(learner, now=now)) == [items[0]]  # 03:55 today; 04:05 is tomorrow
    forecast = dict(scheduling.forecast(learner, now=now))
    assert forecast[dt.date(2026, 12, 6)] == 1 and forecast[dt.date(2026, 12, 7)] == 1
    assert forecast[dt.date(2026, 12, 9)] == len(items) - 2


def test_settings_store_the_zone_and_the_retention_and_refuse_bad_values(client, learner):
    client.force_login(learner)
    stored = client.post("/review/settings/", {"time_zone": "Europe/Paris"}, HTTP_ACCEPT="application/json")
    assert stored.json() == {"time_zone": "Europe/Paris", "desired_retention": 0.9}
    client.post("/review/settings/", {"time_zone": "Europe/Paris", "desired_retention": "0.95"})
    assert ReviewSettings.objects.get(user=learner).desired_retention == 0.95
    bad = client.post("/review/settings/", {"time_zone": "Mars/Olympus", "desired_retention": "1.5"})
    body = bad.content.decode()
    assert bad.status_code == 400 and "IANA time zone" in body and "less than or equal to 0.99" in body


def test_a_higher_desired_retention_brings_a_card_back_sooner(q1973, learner, other_learner):
    ReviewSettings.objects.create(user=learner, desired_retention=0.97)
    ReviewSettings.objects.create(user=other_learner, desired_retention=0.8)
    dues = {}
    for who in (learner, other_learner):
        item = scheduling.items_for(q1973, user=who, now=T0)
        moment = T0
        for _ in range(3):  # learning, then two reviews, each when due
            done = scheduling.review(item, Rating.Good, source=Review.Source.SELF, now=moment)
            moment = done.due_after
        dues[who.username] = item.due - T0
    assert dues["learner"] < dues[other_learner.username]


def test_the_review_log_exports_as_csv_in_ankis_revlog_columns(q1973, client, learner):
    item = scheduling.items_for(q1973, user=learner, now=T0)
    first = scheduling.review(item, Rating.Good, source=Review.Source.SELF, now=T0)
    scheduling.review(item, Rating.Good, source=Review.Source.SELF, now=first.due_after)
    client.force_login(learner)
    response = client.get("/review/log.csv")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["id", "cid", "usn", "ease", "ivl", "lastIvl", "factor", "time", "type"]
    one, two = table[1:]
    # factor: with FSRS, Anki logs the difficulty after the review, (D - 1) / 9 + 0.1 in permille.
    after_one = library_card([(Rating.Good, T0)])
    after_two = library_card([(Rating.Good, T0), (Rating.Good, first.due_after)])
    factors = [str(int(((c.difficulty - 1) / 9 + 0.1) * 1000)) for c in (after_one, after_two)]
    assert 100 <= int(factors[0]) <= 1100
    assert one == [str(int(T0.timestamp() * 1000)), str(item.pk), "-1", "3", "-600", "0", factors[0], "0", "0"]
    assert two[3] == "3" and int(two[4]) >= 1 and two[5] == "-600" and two[8] == "0"  # the 10-minute step, then days
    assert two[6] == factors[1]
    api = APIClient()
    api.force_authenticate(learner)
    assert api.get("/api/v1/review/log/").content == response.content
    assert revlog.COLUMNS == table[0]


def test_an_anonymous_learners_zone_moves_to_the_account_at_sign_in(client, learner):
    client.post("/review/settings/", {"time_zone": "Asia/Tokyo"}, HTTP_ACCEPT="application/json")
    assert ReviewSettings.objects.get(user__isnull=True).time_zone == "Asia/Tokyo"
    client.post("/accounts/login/", {"username": "learner", "password": PASSWORD})
    assert ReviewSettings.objects.get().user == learner and ReviewSettings.objects.get().time_zone == "Asia/Tokyo"
