"""Responses whose JSON is rendered once for every caller who gets the same data.

The question list and detail are the same for every anonymous caller of a version
(questions/versions.py), so the views keep the data per process; this keeps its JSON beside it.
Rendering a question is a fifth of what a warm detail request costs; with the bytes kept, a
request does what DRF's JSONRenderer would have done only once per version. Any other
negotiated rendering (the browsable API, `?format=`, `application/json; indent=4`) renders as
usual, from the same data.
"""
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


class Rendered:
    """Data that is never changed once built, and its JSON as DRF's JSONRenderer writes it."""

    __slots__ = ("data", "_json")

    def __init__(self, data: object) -> None:
        self.data = data
        self._json: bytes | None = None

    def json(self, renderer: JSONRenderer) -> bytes:
        if self._json is None:  # two threads may both render: the same bytes, no lock needed
            self._json = renderer.render(self.data, renderer.media_type, {})
        return self._json


class RenderedResponse(Response):
    def __init__(self, rendered: Rendered, **kwargs):
        super().__init__(rendered.data, **kwargs)
        self.rendered = rendered

    @property
    def rendered_content(self):
        renderer = getattr(self, "accepted_renderer", None)
        # Exactly the default JSON rendering: the plain media type, no indent, no subclass.
        if type(renderer) is JSONRenderer and getattr(self, "accepted_media_type", None) == renderer.media_type:
            self["Content-Type"] = renderer.media_type
            return self.rendered.json(renderer)
        return super().rendered_content
