"""Settings per environment. `load_config()` picks one from REGISTRY_ENV."""
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("REGISTRY_INSTANCE_DIR", PROJECT_ROOT / "instance"))

DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'registry.sqlite3'}")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    # Comma-separated Fernet keys; the first encrypts, all decrypt (so the KEK can be rotated).
    KEY_ENCRYPTION_KEYS = os.environ.get("KEY_ENCRYPTION_KEYS", "")
    # In development a KEK is generated here on first start when none is configured.
    KEY_ENCRYPTION_KEY_FILE = INSTANCE_DIR / "key-encryption-key"
    ACCESS_TOKEN_TTL_SECONDS = int(os.environ.get("ACCESS_TOKEN_TTL_SECONDS", "900"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(64 * 1024 * 1024)))
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    JSON_LOGS = True

    API_TITLE = "Skills Recognition Registry"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    # Served by the registry itself from the swagger-ui-bundle package: no CDN.
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"

    @staticmethod
    def validate(settings):
        """Refuse settings that are unsafe for this environment."""


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    ACCESS_TOKEN_TTL_SECONDS = 300


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"

    @staticmethod
    def validate(settings):
        problems = []
        if not settings.get("SECRET_KEY") or settings["SECRET_KEY"] == DEV_SECRET_KEY:
            problems.append("SECRET_KEY must be set to a non-development value")
        if not settings.get("KEY_ENCRYPTION_KEYS"):
            problems.append("KEY_ENCRYPTION_KEYS must be set in the environment")
        if problems:
            raise RuntimeError("refusing to start in production: " + "; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name=None):
    """Return the settings class for `name` (default: REGISTRY_ENV, else development)."""
    name = name or os.environ.get("REGISTRY_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"unknown REGISTRY_ENV {name!r}; expected one of {sorted(CONFIGS)}") from None
