"""The bank's standing rules (issue 22): every option of every question file says where its claim
comes from, on AWS's own pages; every question written since the bank grew records its second
reader's check (questions/content_format.py, `second_reader`)."""
import re

import pytest

from questions.content_format import parse_question_file
from questions.loader import question_files

AWS_PAGE = re.compile(r"\(https://(docs\.aws\.amazon\.com|aws\.amazon\.com)/[^)\s]+\)")
# The question the app is built around and its companions, checked by the AWS reviews noted on
# issues 19 and 22 before `second_reader` existed; every file added after them records its check.
BEFORE_SECOND_READER = {
    "1973", "c1973-backlog-target", "c1973-dlq-redrive", "c1973-fargate-spot-protection", "c1973-lambda-init",
    "c1973-large-payloads", "c1973-lb-targets", "c1973-sagemaker-async", "c1973-scale-from-zero",
    "c1973-target-tracking-alarms", "c1973-visibility-heartbeat",
}
FILES = {path.stem: path for path in question_files()}


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_option_links_the_aws_page_behind_its_reason(name):
    question = parse_question_file(FILES[name].read_text(), FILES[name].name)
    unsourced = [o.label for o in question.options if not AWS_PAGE.search(o.why)]
    assert not unsourced, f"{name}: options {unsourced} link no docs.aws.amazon.com or aws.amazon.com page"


def test_every_newer_question_records_its_second_readers_check():
    unchecked = [name for name in sorted(set(FILES) - BEFORE_SECOND_READER)
                 if parse_question_file(FILES[name].read_text(), FILES[name].name).second_reader is None]
    assert not unchecked, f"no second_reader block in {unchecked}"


def test_the_list_of_older_files_names_only_files_that_exist():
    assert BEFORE_SECOND_READER <= set(FILES)
