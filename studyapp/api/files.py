"""Operations that answer with a file (exports) or take one as their body (imports).

Without a renderer for its media type, DRF answers `Accept: application/zip` (what a client
generated from the schema sends) with a 406, though that is the very type the operation serves.
These renderers only let negotiation choose the type: the view returns the file itself. The
parser hands an import view the body's bytes as they came.
"""
from types import SimpleNamespace

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView


class FileRenderer(BaseRenderer):
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def file_renderer(media_type: str, format: str) -> type[FileRenderer]:
    return type(f"{format.capitalize()}Renderer", (FileRenderer,), {"media_type": media_type, "format": format})


class AcceptOnly(DefaultContentNegotiation):
    """Only `Accept` chooses: DRF's `?format=` would be a second way to ask, 404 when misspelt."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)  # type: ignore[assignment]  # the one setting it reads


class FileView(APIView):
    """A view whose success is a file of `media_type`, and whose errors stay JSON."""

    media_type = "application/octet-stream"
    file_format = "bin"
    content_negotiation_class = AcceptOnly

    def get_renderers(self):
        return [JSONRenderer(), file_renderer(self.media_type, self.file_format)()]

    def finalize_response(self, request, response, *args, **kwargs):
        # An error (a DRF Response of the error shape) is JSON, whatever the Accept chose.
        if isinstance(response, Response) and isinstance(getattr(request, "accepted_renderer", None), FileRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class FileParser(BaseParser):
    """The body as bytes, for the media types an import view lists."""

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


def file_parser(media_type: str) -> type[FileParser]:
    return type("FileParser", (FileParser,), {"media_type": media_type})
