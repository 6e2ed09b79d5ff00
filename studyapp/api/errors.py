"""One error shape for every API failure: {"detail": ..., "errors": {field: [messages]}}."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler


# A real example, not the docs' generated additionalProp1..3.
@extend_schema_field({"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                      "example": {"options[1].why": ["required; a non-empty text"]}})
class FieldErrors(serializers.DictField):
    child = serializers.ListField(child=serializers.CharField())


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in one sentence.")
    errors = FieldErrors(  # type: ignore[assignment]  # the error shape's field (README), named like Serializer.errors
        help_text="Per field (dotted path for nested fields), what is wrong and what is allowed.")


class Conflict(ValidationError):
    """409: the request is valid but the state of a quiz forbids it (finished, over time, an exam's question)."""
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict with the state of a quiz."
    default_code = "conflict"


def answer_refused(exc) -> ValidationError:
    """The API error for one of questions.answering.REFUSALS: 409 when the state forbids the
    answer, 400 when the input is wrong; the field is named either way."""
    return (Conflict if exc.conflict else ValidationError)({exc.field: [exc.message]})


def _flatten(data, prefix="") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, int):  # an item of a list field
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, path))
    elif isinstance(data, list) and data and all(isinstance(v, str) for v in data):
        out[prefix or "non_field_errors"] = [str(v) for v in data]
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if value:
                out.update(_flatten(value, f"{prefix}[{i}]"))
    else:
        out[prefix or "non_field_errors"] = [str(data)]
    return out


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        # A subclass with a sentence of its own (a 409's conflict) keeps it; plain 400s say "Invalid input."
        response.data = {"detail": str(exc.default_detail), "errors": _flatten(response.data)}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
        response.data = {"detail": str(detail), "errors": {}}
    return response
