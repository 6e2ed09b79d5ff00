"""The one reader of environment variables, for the web app's settings and the reference system.

One rule for every type: a variable that is unset, empty or only spaces takes its default (an
orchestrator or compose file often passes `NAME=` for "not set"), and any other value that cannot
be read fails loudly, naming the variable and what is allowed, so a typo in a deployment stops
the process at start instead of running with a default. Framework-free (no Django): the worker
image reads it too.
"""
import os
from collections.abc import Mapping
from typing import overload

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class SettingError(ValueError):
    pass


@overload
def env_str(name: str, default: str, environ: Mapping[str, str] = ...) -> str: ...
@overload
def env_str(name: str, default: None = None, environ: Mapping[str, str] = ...) -> str | None: ...
def env_str(name, default=None, environ=os.environ):
    value = environ.get(name, "").strip()
    return value or default


def env_required(name: str, environ: Mapping[str, str] = os.environ) -> str:
    value = env_str(name, environ=environ)
    if value is None:
        raise SettingError(f"{name} is required and not set")
    return value


def env_bool(name: str, default: bool, environ: Mapping[str, str] = os.environ) -> bool:
    raw = env_str(name, environ=environ)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise SettingError(f"{name}={raw!r} is not a boolean; allowed: {', '.join(_TRUE + _FALSE)}")


def env_list(name: str, default: list[str], environ: Mapping[str, str] = os.environ) -> list[str]:
    """Comma-separated; blank items dropped."""
    raw = env_str(name, environ=environ)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_float(name: str, default: float, minimum: float, maximum: float,
              environ: Mapping[str, str] = os.environ) -> float:
    raw = env_str(name, environ=environ)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a number; allowed: {minimum:g} to {maximum:g}") from None
    if not minimum <= value <= maximum:
        raise SettingError(f"{name}={raw!r} is out of range; allowed: {minimum:g} to {maximum:g}")
    return value


def env_int(name: str, default: int, minimum: int, maximum: int, environ: Mapping[str, str] = os.environ) -> int:
    value = env_float(name, default, minimum, maximum, environ)
    if value != int(value):
        raise SettingError(f"{name}={value!r} must be a whole number")
    return int(value)
