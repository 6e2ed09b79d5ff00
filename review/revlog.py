"""The review log as CSV, in the column order of Anki's `revlog` table, so a learner can take
their history to Anki's tools (and to FSRS's optimizer, which reads revlogs).

Anki's revlog (https://github.com/ankitects/anki/blob/main/rslib/src/revlog/mod.rs):
id (review time, epoch ms), cid (card id), usn (-1: not synced), ease (1 again .. 4 easy),
ivl (next interval: days when positive, seconds when negative), lastIvl (the previous one, same
units), factor (SM-2's ease in permille: 0 here, FSRS keeps no ease factor), time (ms spent
answering; 0 when unknown), type (0 learning, 1 review, 2 relearning).
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


def rows(reviews):
    last = {}
    out = []
    for r in reviews:
        ivl = anki_interval(r)
        spent = (r.attempt.seconds_on_question or 0) * 1000 if r.attempt_id and r.attempt else 0
        out.append([int(r.reviewed_at.timestamp() * 1000), r.item_id, -1, r.rating, ivl, last.get(r.item_id, 0), 0,
                    spent, TYPE.get(r.state_before if r.state_before is not None else 1, 0)])
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
