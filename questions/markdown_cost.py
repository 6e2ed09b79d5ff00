"""What a Markdown text costs to render, bounded before it is stored.

Python-Markdown reads a link by walking, one character at a time in Python, from each '[' to
the ']' that closes it (nesting counted) and from each '(' after it to its ')', or to the end
of the paragraph when nothing closes them. Brackets left open or closed far away therefore cost
the product of their number and the text's length: 10,000 '[' took 17 s to render, '[a](' 10,000
times 39 s, holding a worker and its GIL. `bracket_span` adds those walks up in one pass (an
upper bound: the whole text, not the paragraph, and every '(' counted), so a text can be refused
when its walks exceed a fixed multiple of its length, which keeps rendering linear. Texts people
write (links, `a[i]` in code) reach a small fraction of it: the bank's largest is about 1x.
"""

SPAN_FACTOR = 10  # the walks may add up to this many times the text's length
SPAN_FLOOR = 10_000  # and always to this many characters, so short texts never trip it


def bracket_span(text: str) -> int:
    """The characters Python-Markdown's link reader would walk over, at most, in `text`."""
    total = 0
    n = len(text)
    for opener, closer in (("[", "]"), ("(", ")")):
        open_at: list[int] = []
        escaped = False
        for i, c in enumerate(text):
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True  # '\[' is an escape, which Markdown reads before any link
            elif c == opener:
                open_at.append(i)
            elif c == closer and open_at:
                total += i - open_at.pop()
        total += sum(n - i for i in open_at)
    return total


def span_allowed(text: str) -> int:
    return max(SPAN_FLOOR, SPAN_FACTOR * len(text))


def too_costly(text: str) -> str | None:
    """Why `text` would render in more than linear time, or None."""
    span = bracket_span(text)
    if span <= span_allowed(text):
        return None
    return (f"brackets '[' or '(' left open or closed far from where they open: reading them as links "
            f"walks {span:,} characters; at most {span_allowed(text):,} ({SPAN_FACTOR} times the text's length) "
            f"are allowed; close them, or escape them as \\[ and \\(")
