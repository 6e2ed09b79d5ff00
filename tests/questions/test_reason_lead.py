"""An option card on the answer page leads with its reason's opening: the bold sentence when it
says something, and the sentence after it when the bold part is only the verdict the card's badge
already shows ("Right."). The rest folds; nothing is lost or repeated between the two."""
from questions.templatetags.markdown_tags import _reason_parts


def test_a_bold_summary_is_the_lead_and_the_rest_folds():
    lead, rest = _reason_parts("**Wrong: no buffer.** An ALB holds each request open.\n\nMore.")
    assert lead == "**Wrong: no buffer.**"
    assert rest == "An ALB holds each request open.\n\nMore."


def test_a_verdict_word_alone_runs_on_to_the_first_sentence():
    why = ("**Right.** The queue (e.g. SQS, see [the guide](https://docs.aws.amazon.com/a.b)) holds\n"
           "work for `ecs.Service.desired`. Each task loads the model once.\n\nSecond block.")
    lead, rest = _reason_parts(why)
    assert lead == ("**Right.** The queue (e.g. SQS, see [the guide](https://docs.aws.amazon.com/a.b)) holds "
                    "work for `ecs.Service.desired`.")
    assert rest == "Each task loads the model once.\n\nSecond block."


def test_a_one_sentence_reason_is_all_lead():
    lead, rest = _reason_parts("**Wrong.** Init runs once per environment.")
    assert (lead, rest) == ("**Wrong.** Init runs once per environment.", "")


def test_without_a_bold_opening_the_first_block_leads():
    assert _reason_parts("Plain reason.\n\nDetail.") == ("Plain reason.", "Detail.")
    assert _reason_parts("") == ("", "")


def test_an_unclosed_bracket_costs_one_pass_and_keeps_everything():
    why = "**Right.** " + "(" * 50_000 + "x. Y."
    # Inside an open parenthesis no full stop ends the sentence: the whole reason is the lead.
    assert _reason_parts(why) == (why, "")
