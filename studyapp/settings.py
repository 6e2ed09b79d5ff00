"""Settings for the study app: one module, read from the environment.

Every setting a deployment may change is listed in the README ("Configuration"). With nothing
set, the app runs for local development: DEBUG on, SQLite under var/, a secret key generated
once into var/ (never committed).
"""
import datetime as dt
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from reference_impl.envvars import env_bool, env_int, env_list, env_str
from studyapp.caches import cache_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Development only: a random key kept outside the repo, stable across restarts so that
    # sessions survive `make run` being restarted.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before whitenoise.runserver_nostatic: its runserver (studyapp/management/commands) is the one
    # `manage.py runserver` finds. studyapp has no templates or static files of its own.
    "studyapp",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "accounts",
    "questions",
    "labs",
    "drills",
    "review",
    "quizzes",
    "progress",
    "reports",
    "classroom",
    "lti_tool",
    "lti",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before sessions: it edits the final framing headers and cookies of LTI sessions only (lti/framing.py).
    "lti.framing.LtiFramingMiddleware",
    "studyapp.api.middleware.ApiErrorShapeMiddleware",  # outermost but security: sees every /api/ answer
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "studyapp.slashes.CommonMiddleware",  # Django's, but a POST missing its slash keeps its method
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "quizzes.lifecycle.CloseOverdueExams",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: it turns a login that django-axes refused into the lockout answer (accounts/lockout_response.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studyapp.urls"
WSGI_APPLICATION = "studyapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studyapp.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serves a burst of writers (hundreds of answers at once, from every gunicorn worker
    # and thread) only with these: WAL lets readers go on while one writer writes; a writer
    # waits up to `timeout` seconds for the lock instead of failing with "database is locked";
    # and IMMEDIATE takes the write lock when a transaction starts, because a transaction that
    # reads first and then writes cannot wait for it (SQLite refuses at once to avoid a
    # deadlock). synchronous=NORMAL is safe with WAL: a power cut may lose the last commits,
    # never corrupt the file. The wait is long because a writer descheduled while it holds the
    # lock makes every other wait: 500 answers at once on two cores under a load of 19 waited
    # past 20 s (6 refused, tests/api/test_sqlite_burst.py); a slow answer beats a lost one.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 60,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for every process: throttles and cached simulations (README,
# "Configuration"). The database cache's table is made by `migrate` (accounts/apps.py).
CACHES = {"default": cache_from_url(env_str("CACHE_URL", ""))}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Reverse proxies in front of the app whose X-Forwarded-For entries are believed (README,
# "Configuration"); 0 means the client is REMOTE_ADDR (accounts/client_address.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, 0, 10)

# Logins: one policy against password guessing for the site's login, the admin's and the API's
# token login (django-axes, with the policy of accounts/lockout_policy.py). After
# LOGIN_FAILURE_LIMIT failures for one account, or LOGIN_ADDRESS_FAILURE_LIMIT from one client
# address (accounts/client_address.py; higher, because a school's learners may share one), every
# login of that account or from that address is refused, the right password included, until
# LOGIN_LOCKOUT_MINUTES pass without another try. The counts live in a table of their own
# (accounts/lockout_counts.py), not the cache, which would cull them when full; every process and
# machine enforces the same limits.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",  # first: refuses a locked-out login before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "accounts.lockout_policy.LockoutHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, 1, 1000)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, 1, 100_000)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, 1, 7 * 24 * 60))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own, not the pair
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout_response.lockout_response"
AXES_ENABLE_ADMIN = False  # its admin pages list database records, which this handler never writes
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))  # `make serve` collects here
# Front-end libraries come from npm (package.json, package-lock.json), installed by `make`,
# and are served from node_modules: never copied into the repo, never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/uplot", BASE_DIR / "node_modules" / "uplot" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security headers. The secure-cookie and HSTS settings switch on with DEBUG off, so
# `manage.py check --deploy` is clean in production and plain HTTP still works locally.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the API docs page reads it to send CSRF on "try it out"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, 0, 2 * 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: only our own origin. No inline script anywhere; inline style
# attributes are allowed because SVG diagrams set positions through style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "studyapp.api.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes unauthenticated calls 401, not 403.
        "accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bodies are JSON only (DRF's parser with a nesting limit): forms cannot express the API's
    # nulls, lists and nested objects, so the schema would promise what form bodies cannot say.
    "DEFAULT_PARSER_CLASSES": ["studyapp.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "studyapp.api.params.PageNumberPagination",  # one ?page= only
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "studyapp.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "studyapp.api.throttling.CallerThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/min"),
        "user": env_str("API_THROTTLE_USER", "600/min"),
        "login": env_str("API_THROTTLE_LOGIN", "10/min"),
        # New (uncached) runs only. Set at 10 a minute when the largest accepted run took 2.4-2.8 s
        # of CPU (about 28 s a minute per caller); it now takes 0.45-0.8 s (benchmarks/simulate.py),
        # so 30 a minute keeps a caller within that budget (24 s) and lets a learner explore.
        "simulations": env_str("API_THROTTLE_SIMULATIONS", "30/min"),
        "signup": env_str("SIGNUP_THROTTLE", "20/hour"),  # new accounts per client address (accounts/views.py)
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Study app quiz API",
    "DESCRIPTION": "Questions, attempts, quizzes, progress, spaced review, drills and simulations. "
                   "Reading questions, drills and simulations is public; the rest needs "
                   "`Authorization: Bearer <token>` (or `Token <token>`) from `POST /api/v1/auth/token/`, "
                   "or the site's session. Errors are always `{\"detail\": ..., \"errors\": {field: [...]}}`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: Swagger UI puts each as a link inside the operation's button (axe:
    # nested-interactive, one per operation). No syntax colours: its themes fail contrast.
    # The page's own template and stylesheet: templates/drf_spectacular/swagger_ui.html.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": False},
    "REDOC_DIST": "SIDECAR",
    # One tag per area, in this order in the docs (studyapp/api/schema.py names the operations).
    "TAGS": [
        {"name": "questions", "description": "The question bank: public reads; instructors write and read keys"},
        {"name": "attempts", "description": "Answering a question, and the caller's answers"},
        {"name": "quizzes", "description": "Practice quizzes and timed exams"},
        {"name": "progress", "description": "The caller's totals and accuracy per domain, and their own data to take away"},
        {"name": "review", "description": "Spaced review (FSRS): due items and the review log"},
        {"name": "drills", "description": "Backlog-per-task drills from a seed"},
        {"name": "simulations", "description": "Designs A-D under the same traffic"},
        {"name": "interchange", "description": "Instructors: the bank exported as Markdown files, Moodle XML, GIFT, "
                                               "QTI 2.1, an Anki deck or CSV, and Moodle XML and GIFT imported"},
        {"name": "auth", "description": "API tokens"},
        {"name": "health", "description": "Liveness and readiness for load balancers"},
    ],
    # A review item's state and a review's state before it are one set: one component.
    "ENUM_NAME_OVERRIDES": {"QuizModeEnum": "quizzes.models.Quiz.Mode",
                            "StateEnum": ["new", "learning", "review", "relearning"],
                            "ReviewItemKindEnum": "review.models.ReviewItem.Kind",
                            "SourceEnum": "review.models.Review.Source"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "studyapp.api.schema.add_common_errors",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # boto3 announces where it found credentials on every client it makes: a dashboard polls.
    "loggers": {"botocore": {"level": "WARNING"}, "boto3": {"level": "WARNING"}},
}

# Instructor labs. The caps (time limit, tasks) and the account allow-list
# (LAB_ALLOWED_ACCOUNT_IDS) are the deployer's own, read in reference_impl/deploy/config.py, so
# the web app and the command line enforce the same limits.
LAB_AWS_REGION = env_str("LAB_AWS_REGION", "us-east-1")
# The worker image in ECR that AWS labs deploy (README, "Instructors": build and push it first).
LAB_IMAGE_URI = env_str("LAB_IMAGE_URI", "")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
