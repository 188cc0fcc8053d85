"""Domain errors raised by services. They carry no HTTP: app/api/errors.py maps them."""


class RegistryError(Exception):
    """Base class: `slug` names the problem type, `detail` says what was wrong."""

    slug = "registry-error"

    def __init__(self, detail, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(RegistryError):
    slug = "not-found"


class Forbidden(RegistryError):
    slug = "forbidden"


class Unauthorized(RegistryError):
    slug = "unauthorized"


class Conflict(RegistryError):
    slug = "conflict"


class InvalidInput(RegistryError):
    """Input that passed the schema but breaks a rule; `errors` maps field -> messages."""

    slug = "validation-error"

    def __init__(self, detail, errors=None, **extra):
        super().__init__(detail, **extra)
        self.errors = errors or {}


class ImportRejected(RegistryError):
    """A bulk import file that cannot be loaded; nothing was written."""

    slug = "import-rejected"

    def __init__(self, detail, file=None, row=None, reason=None, **extra):
        super().__init__(detail, **extra)
        self.file = file
        self.row = row
        self.reason = reason or detail


class ServiceUnavailable(RegistryError):
    slug = "service-unavailable"
