"""Schema post-processing, so that generated clients and strict validators take the schema as
it is: error responses stated once (components) with examples, the responses every operation
can give, anonymous access stated, and nullable objects in a form OpenAPI 3.0 validates."""
from http import HTTPStatus

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import SAFE_METHODS
from rest_framework.serializers import ListSerializer

from studyapp.api.files import AcceptOnly

ERROR = {"$ref": "#/components/schemas/Error"}
# How a null object is written in OpenAPI 3.0: `nullable` beside an `allOf` (what
# drf-spectacular writes) has no `type`, and a strict validator still applies the `allOf` to
# null and refuses it (a real exam-mode answer, {"recorded": true, "result": null}).
NULL = {"type": "object", "nullable": True, "enum": [None], "description": "null"}


def _error(description: str, detail: str, errors: dict | None = None, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {
        "schema": ERROR, "example": {"detail": detail, "errors": errors or {}}}}}
    if headers:
        response["headers"] = headers
    return response


# Every error the API gives, once: operations refer to these by status code.
ERROR_RESPONSES = {
    "400": ("BadRequest", _error(
        "Invalid input: `errors` names each field (dotted path) and what is allowed; a query parameter "
        "given twice is refused the same way.",
        "Invalid input.", {"selected": ["an option label, one capital letter A-Z"]})),
    "401": ("Unauthorized", _error(
        "Missing, invalid or revoked credentials: send `Authorization: Bearer <token>` (or `Token <token>`).",
        "Authentication credentials were not provided.")),
    "403": ("Forbidden", _error(
        "Not allowed for this user (instructors only), or a session's CSRF check failed.",
        "Only instructors (staff or the 'instructors' group) may do this.")),
    "404": ("NotFound", _error(
        "No such resource (or not the caller's), or a page past the last. A URL without its final "
        "slash names the right one in `errors.url`.", "Not found.")),
    "406": ("NotAcceptable", _error(
        "`Accept` names no media type this operation serves.",
        "Could not satisfy the request Accept header.")),
    "409": ("Conflict", _error(
        "Valid, but the state forbids it: a finished or overdue quiz, a question of the caller's own "
        "unfinished exam or of a course exam whose answers show after its due time.", "Conflict with the state of a quiz.",
        {"include": ["your exam quiz 12 is not finished; the key is hidden until then"]})),
    "413": ("PayloadTooLarge", _error(
        "The body is larger than the server accepts (2.5 MB).", "Request body too large.")),
    "415": ("UnsupportedMediaType", _error(
        "The body's media type is not JSON.", 'Unsupported media type "text/plain" in request.')),
    "429": ("TooManyRequests", _error(
        "Over a request budget; try again after `Retry-After` seconds.",
        "Request was throttled. Expected available in 42 seconds.",
        headers={"Retry-After": {"description": "seconds until the budget allows another request",
                                 "schema": {"type": "integer", "minimum": 0}}})),
}


def _responses_every_operation_can_give(operation: dict, credentials_optional: bool = False) -> list[str]:
    codes = ["406"]  # content negotiation: an Accept the API cannot serve
    security = operation.get("security", [])
    if credentials_optional or any(s for s in security):
        codes += ["401", "429"]  # credentials read (a bad token fails even public reads); user budgets
    if any(p.get("in") == "query" and p.get("name") == "page" for p in operation.get("parameters", [])):
        codes.append("400")  # the paginator refuses ?page=1&page=2 (studyapp/api/params.py)
    if "requestBody" in operation:
        codes += ["413", "415"]  # refused before any view reads the body (studyapp/api/middleware.py)
    if any("cookieAuth" in s for s in security):
        codes.append("403")  # a session cookie without its CSRF token, on unsafe methods
    return codes


def _nullable_objects(node):
    """Rewrite {allOf: [ref], nullable: true} as {oneOf: [ref, null]}, everywhere."""
    if isinstance(node, dict):
        if node.get("nullable") and "allOf" in node and "type" not in node and len(node["allOf"]) == 1:
            node["oneOf"] = [node.pop("allOf")[0], NULL]
            del node["nullable"]
        for value in node.values():
            _nullable_objects(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_objects(value)


def add_common_errors(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("responses", {}).update({name: response for name, response in ERROR_RESPONSES.values()})
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            # No credentials needed: say so with [], the one form generators take for "no
            # authenticated client needed" (openapi-python-client: requires_security =
            # bool(security), so [{}] or a list holding {} still demands one). Public reads
            # (AutoSchema.get_auth's {}) read credentials if sent: their 401 and 429 stay declared.
            security = operation.get("security", [{}])
            optional = {} in security and security != [{}]
            if {} in security:
                operation["security"] = []
            if optional:
                operation["description"] = (operation.get("description", "") + "\n\nNo credentials needed. "
                                            "Credentials sent are still checked: a bad token is a 401.").strip()
            responses = operation.setdefault("responses", {})
            for code in _responses_every_operation_can_give(operation, optional):
                responses.setdefault(code, {})
            for code, response in list(responses.items()):
                if response.get("description") == "" and code.isdigit():
                    response["description"] = HTTPStatus(int(code)).phrase  # what the docs show, not a blank
                if code in ERROR_RESPONSES and (not response or response.get("content", {}).get(
                        "application/json", {}).get("schema") == ERROR):
                    responses[code] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[code][0]}"}
    _nullable_objects(result)
    return result


class AutoSchema(SpectacularAutoSchema):
    """Also documents anonymous access ({} in security) for reads that permissions marked
    ``public_reads`` allow without credentials (drf-spectacular only knows its built-in
    classes), and a list response's cap (`Serializer(many=True, max_length=N)`) as maxItems."""

    def _get_format_parameters(self):
        if issubclass(getattr(self.view, "content_negotiation_class", object), AcceptOnly):
            return []  # no `?format=`: only Accept chooses
        return super()._get_format_parameters()

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        cap = serializer.max_length if isinstance(serializer, ListSerializer) else None
        for content in response.get("content", {}).values() if cap else ():
            if content.get("schema", {}).get("type") == "array":
                content["schema"]["maxItems"] = cap
        return response

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A nested list's count (min_length/max_length, or the bounds a StatedCountList states)
        as minItems/maxItems: drf-spectacular maps them for ListField only."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, ListSerializer) and schema.get("type") == "array":
            low, high = getattr(field, "stated_items", (field.min_length, field.max_length))
            schema.update({k: v for k, v in (("minItems", low), ("maxItems", high)) if v is not None})
        return schema

    def get_auth(self):
        auths = super().get_auth()
        public = any(getattr(p, "public_reads", False) for p in self.view.get_permissions())
        if public and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths
