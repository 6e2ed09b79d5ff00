"""Schema post-processing: responses every authenticated operation can give, documented once."""


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
            if any("cookieAuth" in s for s in operation.get("security", [])):
                # A session cookie without its CSRF token is refused on unsafe methods.
                responses.setdefault("403", {**error, "description": "Not allowed, or CSRF check failed"})
    return result
