"""The review log as CSV, in the column order of Anki's `revlog` table, so a learner can take
their history to Anki's tools (and to FSRS's optimizer, which reads revlogs).

Anki's revlog (https://github.com/ankitects/anki/blob/main/rslib/src/revlog/mod.rs):
id (review time, epoch ms), cid (card id), usn (-1: not synced), ease (1 again .. 4 easy),
ivl (next interval: days when positive, seconds when negative), lastIvl (the previous one, same
units), factor, time (ms spent answering; 0 when unknown), type (0 learning, 1 review,
2 relearning).

factor: under SM-2 the ease in permille; with FSRS, Anki writes the card's difficulty after the
review there, as `difficulty_shifted() * 1000`, difficulty_shifted being (D - 1) / 9 + 0.1, so
FSRS's 1..10 is 100..1100 (rslib/src/card/mod.rs, FsrsMemoryState::difficulty_shifted, "used in
revlog entries"; rslib/src/scheduler/answering/). The same here, from the difficulty each review
stored (Review.difficulty_after); a review logged before that was kept has 0, Anki's value for
a card without a memory state.
"""
import csv
import io

from django.http import HttpResponse

from review.models import Review, ReviewItem

COLUMNS = ["id", "cid", "usn", "ease", "ivl", "lastIvl", "factor", "time", "type"]
# fsrs.State -> revlog type: New and Learning are Anki's learning (0), Review 1, Relearning 2.
TYPE = {0: 0, 1: 0, 2: 1, 3: 2}


def reviews_of(user=None, anon_id: str = ""):
    return (Review.objects.filter(item__in=ReviewItem.objects.owned_by(user, anon_id))
            .select_related("attempt").order_by("item_id", "reviewed_at", "id"))


def anki_interval(review: Review) -> int:
    seconds = int((review.due_after - review.reviewed_at).total_seconds())
    return seconds // 86400 if seconds >= 86400 else -seconds


def anki_factor(review: Review) -> int:
    if review.difficulty_after is None:
        return 0
    return int(((review.difficulty_after - 1) / 9 + 0.1) * 1000)  # Anki truncates (`as u16`)


def rows(reviews):
    last = {}
    out = []
    for r in reviews:
        ivl = anki_interval(r)
        spent = (r.attempt.seconds_on_question or 0) * 1000 if r.attempt_id and r.attempt else 0
        out.append([int(r.reviewed_at.timestamp() * 1000), r.item_id, -1, r.rating, ivl, last.get(r.item_id, 0),
                    anki_factor(r), spent, TYPE.get(r.state_before if r.state_before is not None else 1, 0)])
        last[r.item_id] = ivl
    return sorted(out, key=lambda row: row[0])


def csv_response(reviews, filename: str = "revlog.csv") -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(reviews))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
