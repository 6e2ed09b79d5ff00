from django import template

from questions.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render Markdown to sanitized HTML (see questions/rendering.py)."""
    return render_markdown(text)
