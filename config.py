"""Configurations read from the environment: development (default), testing, production."""

from __future__ import annotations

import os
from datetime import timedelta
from urllib.parse import urlsplit


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _audit_keys(text: str | None) -> dict[str, str]:
    """AUDIT_KEYS as {key id: secret}: comma-separated `id:secret` pairs, in the order given."""
    keys: dict[str, str] = {}
    for item in (text or "").split(","):
        if item.strip():
            key_id, _, secret = item.strip().partition(":")
            keys[key_id.strip()] = secret.strip()
    return keys


def base_url_problem(url: str | None, allow_insecure: bool = False) -> str | None:
    """What is wrong with `url` as the production PUBLIC_BASE_URL, or None when it will do: an
    absolute https address of a host, without query or fragment (http only when allowed)."""
    if not url or not url.strip():
        return "PUBLIC_BASE_URL must be set in production (e.g. https://tracker.example.org)"
    parts = urlsplit(url.strip())
    schemes = ("https", "http") if allow_insecure else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.query or parts.fragment:
        wanted = "an http(s)" if allow_insecure else "an https"
        return (
            f"PUBLIC_BASE_URL must be {wanted} address such as https://tracker.example.org"
            " (ALLOW_INSECURE_BASE_URL=1 allows plain http for a trial)"
        )
    return None


class Config:
    """Settings shared by every configuration."""

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    # None means: an SQLite file in the instance folder (filled in by create_app).
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # The most one request may send: a body over it is refused (the 413 page) before any field is
    # read. Below it a file over UPLOAD_MAX_BYTES is cut short as it arrives and refused by the
    # form, which keeps the other fields (tracker.core.requests).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(64 * 1024 * 1024)))
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    UPLOAD_FOLDER: str | None = os.environ.get("UPLOAD_FOLDER")
    # What one person's files may take in all (files no record refers to any more do not count),
    # and how many uploads one signed-in person may make (a Flask-Limiter rate, e.g. 30 per hour).
    UPLOAD_QUOTA_BYTES = int(os.environ.get("UPLOAD_QUOTA_BYTES", str(200 * 1024 * 1024)))
    UPLOAD_RATE_LIMIT = os.environ.get("UPLOAD_RATE_LIMIT", "30 per hour")
    # Requests one API token may make (a Flask-Limiter rate), counted per token.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "kap_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    # Staff and supervisors must set up an authenticator app (second factor) before anything
    # else. Off outside production unless turned on (the demo accounts sign in with a password).
    SECOND_FACTOR_REQUIRED = _bool("SECOND_FACTOR_REQUIRED", False)
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
    INVITATION_MAX_AGE_HOURS = 72
    RESET_MAX_AGE_HOURS = 2
    REGISTRATION_MAX_AGE_HOURS = 24
    EMAIL_CHANGE_MAX_AGE_HOURS = 24
    BOOTSTRAP_SERVE_LOCAL = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # How many reverse proxies in front of the app set X-Forwarded-For, -Proto and -Host. With 0
    # those headers are ignored: otherwise any client could choose the address it is limited by.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Keeps this deployment's counters apart when several share one Redis.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = True
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "KAP Certification Tracker <no-reply@example.org>")
    # "smtp" when MAIL_SERVER is set; otherwise "outbox": log and keep each message as a file.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if MAIL_SERVER else "outbox")
    # The public address used in e-mailed links and on certificates (no trailing slash).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    PROGRAM_TIMEZONE = os.environ.get("PROGRAM_TIMEZONE", "America/Los_Angeles")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # The audit chain and the signatures are keyed (HMAC-SHA256) with a secret kept outside the
    # database. Every key ever used stays listed so that older events still verify; new events
    # and signatures use AUDIT_KEY_ID's key (the last listed when unset).
    AUDIT_KEYS: dict[str, str] = _audit_keys(os.environ.get("AUDIT_KEYS"))
    AUDIT_KEY_ID: str | None = os.environ.get("AUDIT_KEY_ID") or None
    # Events 1..N may be unkeyed: those written before the audit keys came in (0: none may be).
    AUDIT_LEGACY_LAST_ID = int(os.environ.get("AUDIT_LEGACY_LAST_ID", "0"))
    AUDIT_CHECKPOINT_EMAIL: str | None = os.environ.get("AUDIT_CHECKPOINT_EMAIL") or None
    # argon2id costs: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane) by default. A
    # signature asks for the password again, so one check sits on every sign-off; the library's
    # own default (64 MiB, 3 passes, 4 lanes) costs 4-5 times more on a 2-core server. Hashes
    # made with other costs are re-made at the next sign-in.
    ARGON2_TIME_COST: int | None = int(os.environ.get("ARGON2_TIME_COST", "2"))
    ARGON2_MEMORY_KIB: int | None = int(os.environ.get("ARGON2_MEMORY_KIB", "19456"))
    # Webhooks: how long the worker waits for an endpoint. WEBHOOK_ALLOW_LOCAL (tests only, never
    # read from the environment) lets a plain-http receiver on a private or loopback address in.
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
    WEBHOOK_ALLOW_LOCAL = False
    # Open Badges 3.0 credentials are signed with an Ed25519 key held outside the database: a
    # PEM file (CREDENTIAL_KEY_FILE, as `flask credentials keygen` writes it) or the key itself in
    # CREDENTIAL_KEY (PEM or a Multikey secretKeyMultibase). After a rotation, the earlier keys'
    # publicKeyMultibase values stay listed in CREDENTIAL_RETIRED_KEYS (comma-separated).
    CREDENTIAL_KEY_FILE: str | None = os.environ.get("CREDENTIAL_KEY_FILE") or None
    CREDENTIAL_KEY: str | None = os.environ.get("CREDENTIAL_KEY") or None
    CREDENTIAL_RETIRED_KEYS: list[str] = [
        k.strip() for k in os.environ.get("CREDENTIAL_RETIRED_KEYS", "").split(",") if k.strip()
    ]
    # "key": the issuer is the key's did:key. "web": did:web of PUBLIC_BASE_URL's host (https,
    # no path), whose DID document (every key, retired ones too) is served at /.well-known/did.json.
    CREDENTIAL_ISSUER_DID = os.environ.get("CREDENTIAL_ISSUER_DID", "key").strip().lower()
    # The issuer Profile's e-mail (the sender's address of MAIL_SENDER when unset).
    CREDENTIAL_ISSUER_EMAIL: str | None = os.environ.get("CREDENTIAL_ISSUER_EMAIL") or None
    # Outside production only: with no key configured, sign with one derived from SECRET_KEY.
    CREDENTIAL_DEVELOPMENT_KEY = False
    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    """Local development: a fixed, clearly named development key and mail kept in a folder."""

    SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-key-not-for-production"
    AUDIT_KEYS = Config.AUDIT_KEYS or {"dev": "development-only-audit-key-not-for-production"}
    CREDENTIAL_DEVELOPMENT_KEY = True
    DEBUG = _bool("FLASK_DEBUG", False)


class TestingConfig(Config):
    """The test suite: its own database, mail kept in memory, CSRF on unless a test turns it off."""

    TESTING = True
    SECRET_KEY = "testing-key"  # noqa: S105 - a test-only constant
    AUDIT_KEYS = {"test": "testing-audit-key"}
    AUDIT_KEY_ID = "test"
    AUDIT_LEGACY_LAST_ID = 0
    AUDIT_CHECKPOINT_EMAIL = None
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
    MAIL_BACKEND = "memory"
    SECOND_FACTOR_REQUIRED = False  # tests that need it turn it on
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    PUBLIC_BASE_URL = "http://localhost"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 1024
    CREDENTIAL_DEVELOPMENT_KEY = True


class ProductionConfig(Config):
    """Production: refuses to start without a secret key, without an audit key or with debug on."""

    # Secure cookies need HTTPS; SESSION_COOKIE_SECURE=0 only for a local HTTP trial (make serve).
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"
    DEBUG = _bool("FLASK_DEBUG", False)
    SECOND_FACTOR_REQUIRED = _bool("SECOND_FACTOR_REQUIRED", True)
    # No default: an address printed into every certificate's QR code must be chosen.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")
    # 1 allows a plain-http PUBLIC_BASE_URL, for a local trial (make serve) only.
    ALLOW_INSECURE_BASE_URL = _bool("ALLOW_INSECURE_BASE_URL", False)

    @classmethod
    def check(cls) -> None:
        """Raise RuntimeError when the environment is not safe to serve from."""
        if not cls.SECRET_KEY or len(cls.SECRET_KEY) < 32:
            raise RuntimeError("SECRET_KEY must be set (at least 32 characters) in production")
        if cls.DEBUG:
            raise RuntimeError("FLASK_DEBUG must be off in production")
        problem = base_url_problem(cls.PUBLIC_BASE_URL, cls.ALLOW_INSECURE_BASE_URL)
        if problem:
            raise RuntimeError(problem)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the configuration named by TRACKER_ENV (development when unset)."""
    name = os.environ.get("TRACKER_ENV", "development").strip().lower()
    if name not in CONFIGS:
        raise RuntimeError(f"TRACKER_ENV must be one of {', '.join(CONFIGS)}")
    return CONFIGS[name]
