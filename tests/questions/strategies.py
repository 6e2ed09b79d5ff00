"""Hypothesis strategies for question data, shared by the round-trip tests of every format."""
import datetime as dt

from hypothesis import strategies as st

# Lines that have broken files before, or could: section headings and near misses, other
# headings, YAML and Markdown syntax, front matter fences, quotes, HTML, odd whitespace.
TRICKY = [
    "# Setup", "# Explanation", "# More precisely", "# Stem", "# explanation  ", "#  Stem", "# Explanations",
    "## Explanation", "Explanation\n===", "#Explanation", "   # Stem", "\\# Explanation", "# ", "#",
    "---", "...", "- item", "* item", "1. item", "> quote", "```", "```bash\n# create the queue\naws sqs\n```",
    "    indented code", "\t", "  ", "", "|a|b|\n|-|-|", "***bold***", "<b>html</b>", "<script>x</script>",
    "[link](https://example.com)", "`code`", "yes", "no", "null", "~", "123", "1e3", "0x1F", "2026-11-28",
    "'", '"', ": ", "key: value", "- ", "? ", "&anchor", "*alias", "!tag", "%", "@", "{a: 1}", "[1, 2]",
    "line with trailing spaces   ", "\\", "a\\nb", "\r\n", "\r", "\ufeff", "é", "漢字", "😀", "\u200b", "\xa0",
]
# Characters no text may hold (see CONTROL_RE): rare here, so most examples are accepted and
# exported; the refusal is shown below.
CONTROLS = ["\x01", "\x0c", "\x1b[31m", "\x7f", "\x85", "\u2028"]
words = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=12)
fragment = st.one_of(st.sampled_from(TRICKY), words)
line = st.lists(fragment, min_size=1, max_size=4).map(" ".join)
markdown = st.lists(line, min_size=1, max_size=6).map("\n".join)
short = st.lists(fragment, min_size=1, max_size=3).map(" ".join)


@st.composite
def questions(draw):
    count = draw(st.integers(2, 5))
    labels = "ABCDEFGHIJ"[:count]
    right = draw(st.sets(st.sampled_from(labels), min_size=1, max_size=count - 1))
    return {
        "id": draw(st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True)),
        "title": draw(short),
        "stem": draw(markdown),
        "explanation": draw(st.one_of(st.just(""), markdown)),
        "more_precisely": draw(st.one_of(st.just(""), markdown)),
        "domain": draw(st.one_of(st.just(""), short)),
        "source": draw(st.one_of(st.just(""), short)),
        "tags": draw(st.lists(st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True), max_size=3)),
        "last_verified": draw(st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)).map(str))),
        "options": [{"label": label, "text": draw(markdown), "correct": label in right, "why": draw(markdown)}
                    for label in labels],
        "key_points": draw(st.lists(short, max_size=3)),
        "references": draw(st.lists(st.fixed_dictionaries({
            "title": short, "url": st.sampled_from(["https://docs.aws.amazon.com/x", "http://example.com/a?b=c&d"])}),
            max_size=2)),
    }
