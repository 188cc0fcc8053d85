"""Every error becomes RFC 9457 problem+json: domain errors, HTTP errors, validation, the rest."""
import logging

from flask import current_app, g, request
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from app import errors as domain

log = logging.getLogger("registry.errors")

PROBLEM_CONTENT_TYPE = "application/problem+json"

# One table: domain error -> HTTP status.
DOMAIN_STATUS = {
    domain.InvalidInput: 422,
    domain.ImportRejected: 422,
    domain.NotFound: 404,
    domain.Forbidden: 403,
    domain.Unauthorized: 401,
    domain.Conflict: 409,
    domain.ServiceUnavailable: 503,
}

HTTP_SLUGS = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
    406: "not-acceptable", 409: "conflict", 413: "payload-too-large", 415: "unsupported-media-type",
    422: "validation-error", 429: "too-many-requests", 500: "internal-error", 503: "service-unavailable",
}

PROBLEM_TITLES = {
    "validation-error": "Invalid input",
    "import-rejected": "Import rejected",
    "not-found": "Not found",
    "forbidden": "Forbidden",
    "unauthorized": "Authentication required",
    "conflict": "Conflict",
    "bad-request": "Bad request",
    "method-not-allowed": "Method not allowed",
    "not-acceptable": "Not acceptable",
    "payload-too-large": "Payload too large",
    "unsupported-media-type": "Unsupported media type",
    "too-many-requests": "Too many requests",
    "internal-error": "Internal server error",
    "service-unavailable": "Service unavailable",
    "invalid-client": "Invalid client",
}


def problem_type(slug):
    return f"{current_app.config['PUBLIC_BASE_URL']}/problems/{slug}"


def problem_response(status, slug, detail, errors=None, headers=None, **extra):
    body = {
        "type": problem_type(slug),
        "title": PROBLEM_TITLES.get(slug, slug.replace("-", " ").capitalize()),
        "status": status,
        "detail": detail,
        "instance": request.path,
        "request_id": g.get("request_id"),
    }
    if errors:
        body["errors"] = errors
    body.update({k: v for k, v in extra.items() if v is not None})
    response = current_app.response_class(
        current_app.json.dumps(body), status=status, mimetype=PROBLEM_CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages, prefix=""):
    """webargs/marshmallow nested messages -> [{field, messages}] with dotted field paths."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "form", "query", "files", "headers", "view_args", "json_or_form") and not prefix:
                out.extend(flatten_messages(value, ""))
                continue
            path = f"{prefix}.{key}" if prefix else str(key)
            if path.endswith("._schema"):
                path = path[: -len("._schema")]
            if path == "_schema":
                path = "(body)"
            out.extend(flatten_messages(value, path))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out.append({"field": prefix or "(body)", "messages": list(messages)})
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            out.extend(flatten_messages(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out.append({"field": prefix or "(body)", "messages": [str(messages)]})
    return out


def handle_domain_error(error: domain.RegistryError):
    status = DOMAIN_STATUS.get(type(error), 400)
    for cls in type(error).__mro__:
        if cls in DOMAIN_STATUS:
            status = DOMAIN_STATUS[cls]
            break
    headers = {}
    slug = error.slug
    extra = dict(error.extra)
    oauth_error = extra.pop("oauth_error", None)
    field_errors = extra.pop("errors", None) or getattr(error, "errors", None)
    if status == 401:
        headers["WWW-Authenticate"] = f'Bearer error="{oauth_error or "invalid_token"}"'
    if oauth_error:
        extra["error"] = oauth_error  # RFC 6749 5.2 clients read this member
    if isinstance(error, domain.ImportRejected):
        extra.update(file=error.file, row=error.row, reason=error.reason)
    errors = None
    if field_errors:
        errors = [{"field": k, "messages": v if isinstance(v, list) else [str(v)]} for k, v in field_errors.items()]
    return problem_response(status, slug, error.detail, errors=errors, headers=headers, **extra)


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    slug = HTTP_SLUGS.get(status, "http-error")
    headers = dict(data.get("headers") or {})
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if messages:
        fields = flatten_messages(messages)
        detail = "; ".join(f"{f['field']}: {' '.join(f['messages'])}" for f in fields)
        # webargs answers 400 for a body that is not JSON at all, 422 for JSON that fails the schema.
        slug = "validation-error" if status == 422 else HTTP_SLUGS.get(status, "bad-request")
        return problem_response(status, slug, detail, errors=fields, headers=headers)
    detail = data.get("message") or error.description or error.name
    return problem_response(status, slug, detail, headers=headers)


def handle_unexpected(error: Exception):
    original = getattr(error, "original_exception", None) or error
    if isinstance(original, HTTPException) and not isinstance(original, InternalServerError):
        return handle_http_exception(original)
    if isinstance(original, domain.RegistryError):
        return handle_domain_error(original)
    if isinstance(original, IntegrityError):
        log.warning("integrity error: %s", original.orig)
        return problem_response(409, "conflict", "the request conflicts with existing data")
    if isinstance(original, (OperationalError, DBAPIError)) and _looks_unavailable(original):
        log.error("database unavailable: %s", original.orig)
        return problem_response(503, "service-unavailable", "the database is unavailable; try again shortly",
                                headers={"Retry-After": "5"})
    log.exception("unhandled error", exc_info=original)
    return problem_response(500, "internal-error", "an unexpected error occurred; quote the request id when reporting it")


def _looks_unavailable(error):
    text = str(getattr(error, "orig", error)).lower()
    return error.connection_invalidated or any(
        phrase in text for phrase in ("connection", "could not connect", "server closed", "database is locked",
                                      "terminating", "readonly", "disk")
    )


def register_error_handlers(app):
    app.register_error_handler(domain.RegistryError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    # Registered last: everything not handled above.
    app.register_error_handler(Exception, handle_unexpected)
