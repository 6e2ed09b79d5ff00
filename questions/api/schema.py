"""Schema post-processing: responses every authenticated operation can give, documented once;
anonymous reads documented as such."""
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import SAFE_METHODS


def add_common_errors(result, generator, request, public):
    """Any operation that reads credentials can answer 401 (a bad or revoked token, even on
    public reads), 403 (a session without CSRF) and 429 (throttled), in the shared Error shape."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            if any(list(s) != [] for s in operation.get("security", [])):
                responses.setdefault("401", {**error, "description": "Missing, invalid or revoked credentials"})
                responses.setdefault("429", {**error, "description": "Too many requests; see Retry-After"})
            if any(p.get("in") == "query" and p.get("name") == "page" for p in operation.get("parameters", [])):
                # The paginator refuses ?page=1&page=2 (questions/api/params.py).
                responses.setdefault("400", {**error, "description": "A query parameter given more than once"})
            # Content negotiation: an Accept the API cannot serve, or a body it cannot parse.
            responses.setdefault("406", {**error, "description": "Accept names no media type the API serves (JSON)"})
            if "requestBody" in operation:
                responses.setdefault("415", {**error, "description": "Body media type not supported; send JSON"})
                # Refused before any view reads it (questions/api/middleware.py).
                responses.setdefault("413", {**error, "description": "Body larger than the server accepts"})
            if any("cookieAuth" in s for s in operation.get("security", [])):
                # A session cookie without its CSRF token is refused on unsafe methods.
                responses.setdefault("403", {**error, "description": "Not allowed, or CSRF check failed"})
    return result


class AutoSchema(SpectacularAutoSchema):
    """Also documents anonymous access ({} in security) for reads that permissions marked
    ``public_reads`` allow without credentials; drf-spectacular only knows its built-in classes."""

    def get_auth(self):
        auths = super().get_auth()
        public = any(getattr(p, "public_reads", False) for p in self.view.get_permissions())
        if public and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths
