"""Typed reads of environment variables that fail loudly, naming the variable and what is allowed."""
import os


class SettingError(ValueError):
    pass


def env_str(name: str, default: str | None = None, environ=os.environ) -> str | None:
    value = environ.get(name, "").strip()
    return value or default


def env_required(name: str, environ=os.environ) -> str:
    value = env_str(name, environ=environ)
    if value is None:
        raise SettingError(f"{name} is required and not set")
    return value


def env_float(name: str, default: float, minimum: float, maximum: float, environ=os.environ) -> float:
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


def env_int(name: str, default: int, minimum: int, maximum: int, environ=os.environ) -> int:
    value = env_float(name, default, minimum, maximum, environ)
    if value != int(value):
        raise SettingError(f"{name}={value!r} must be a whole number")
    return int(value)
