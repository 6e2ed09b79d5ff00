import re

from django import template

from questions.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render Markdown to sanitized HTML (see questions/rendering.py)."""
    return render_markdown(text)


def _blocks(text: str) -> list[str]:
    """Markdown's top-level blocks: split at blank lines, except inside a fenced code block."""
    blocks: list[str] = []
    current: list[str] = []
    fenced = False
    for line in (text or "").strip().split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                blocks.append("\n".join(current))
            current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


@register.filter(name="markdown_lead")
def markdown_lead(text, count=1):
    """The first `count` blocks (paragraphs, lists) rendered: what a long text leads with, the
    rest (markdown_rest) folded into a disclosure on the answer page."""
    return render_markdown("\n\n".join(_blocks(text)[:int(count)]))


@register.filter(name="markdown_rest")
def markdown_rest(text, count=1):
    return render_markdown("\n\n".join(_blocks(text)[int(count):]))


_BOLD_OPENING = re.compile(r"\A(\*\*[^*\n][^*]*\*\*)[ \t]*\n?(.+)\Z", re.DOTALL)
# A bold opening that is only the verdict ("**Right.**") says nothing the card's badge does not:
# the lead then runs on to the reason's first sentence.
_VERDICT_ONLY = re.compile(r"\A\*\*(Right|Wrong|Correct|Incorrect)\.?\*\*\Z")
_CLOSERS = {")": "(", "]": "[", "`": "`"}


def _first_sentence(text: str) -> tuple[str, str]:
    """(first sentence, rest) of Markdown prose, in one pass: a sentence ends at a full stop, a
    question or exclamation mark followed by a space and a capital (or the end), outside
    parentheses, brackets and code spans, so "(e.g. a link.)" and `a.b` do not end it."""
    depth: list[str] = []
    for i, ch in enumerate(text):
        if ch == "`" and depth and depth[-1] == "`":
            depth.pop()
        elif ch == "`" or (ch in "([" and not (depth and depth[-1] == "`")):
            depth.append(ch)
        elif ch in ")]" and depth and depth[-1] == _CLOSERS[ch]:
            depth.pop()
        elif ch in ".?!" and not depth:
            after = text[i + 1:]
            stripped = after.lstrip()
            if not stripped:
                return text, ""
            if after[:1].isspace() and (stripped[0].isupper() or stripped[0] in "*`["):
                return text[:i + 1], stripped
    return text, ""


def _reason_parts(text: str) -> tuple[str, str]:
    """An option's reason as (lead, rest): its bold opening sentence ("**Wrong: no buffer.**"),
    when it opens with one (and the sentence after it when the bold part is only "Right." or
    "Wrong."), else its first block."""
    blocks = _blocks(text)
    if not blocks:
        return "", ""
    match = _BOLD_OPENING.match(blocks[0])
    if match and _VERDICT_ONLY.match(match.group(1)):
        sentence, rest = _first_sentence(" ".join(match.group(2).split()))
        return f"{match.group(1)} {sentence}", "\n\n".join([rest, *blocks[1:]] if rest else blocks[1:])
    if match:
        return match.group(1), "\n\n".join([match.group(2), *blocks[1:]])
    return blocks[0], "\n\n".join(blocks[1:])


@register.filter(name="reason_lead")
def reason_lead(text):
    return render_markdown(_reason_parts(text)[0])


@register.filter(name="reason_rest")
def reason_rest(text):
    return render_markdown(_reason_parts(text)[1])
