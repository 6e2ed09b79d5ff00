"""The models this system serves and the inputs each accepts.

Each model is a scikit-learn classifier trained at build time on a dataset bundled with
scikit-learn (no download). The input rules here are checked twice: by ``jobs.submit`` before
anything is queued, and by the worker on every message (the deployed API passes bodies through
unchecked, so a queue can hold anything).
"""
import functools
import math
from dataclasses import dataclass
from typing import Callable


def bundled(loader: str) -> Callable:
    """One of scikit-learn's bundled datasets, imported when first read: importing scikit-learn
    costs every process that only checks inputs (the submit command, the web app) a second."""
    def load(**kwargs):
        from sklearn import datasets

        return getattr(datasets, loader)(**kwargs)
    return load


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    n_features: int
    min_value: float
    max_value: float
    load_data: Callable

    def check_input(self, values, where: str = "input") -> list[float]:
        """One input row as floats, or ValueError naming the field and what is allowed."""
        if not isinstance(values, (list, tuple)):
            raise ValueError(f"{where}: expected a list of {self.n_features} numbers, got {type(values).__name__}")
        if len(values) != self.n_features:
            raise ValueError(f"{where}: expected {self.n_features} numbers for model {self.name!r}, got {len(values)}")
        row = []
        for i, value in enumerate(values):
            # bool is an int subclass; true/false is never a pixel or a length.
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{where}[{i}]: expected a number, got {type(value).__name__}")
            if not _finite(value) or not self.min_value <= value <= self.max_value:
                raise ValueError(f"{where}[{i}]: {_short(value)} is outside {self.min_value:g}..{self.max_value:g} "
                                 f"allowed for model {self.name!r}")
            row.append(float(value))
        return row

    def sample_inputs(self, count: int, offset: int = 0) -> list[list[float]]:
        """Rows of the training data itself, deterministic, cycling when more are asked."""
        features = _rows(self.load_data)
        return [list(features[(offset + i) % len(features)]) for i in range(count)]  # copies: callers may change them


@functools.cache
def _rows(load_data: Callable) -> tuple[tuple[float, ...], ...]:
    """The dataset's rows, read once per process: scikit-learn parses its bundled CSV on every
    load (about 14 ms for digits), which made a 1,000-job burst spend 14 s building inputs."""
    features, _ = load_data(return_X_y=True)
    return tuple(tuple(row.tolist()) for row in features)


def _finite(value) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float (JSON allows hundreds of digits)
        return False


def _short(value) -> str:
    """The value for an error message: a 4,000-digit integer is shown by its size."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:12]}... ({len(text)} characters)"


CATALOG: dict[str, ModelSpec] = {
    "digits": ModelSpec(
        name="digits",
        description="8x8 handwritten digit images (64 pixel intensities 0-16) -> digit 0-9",
        n_features=64, min_value=0.0, max_value=16.0, load_data=bundled("load_digits"),
    ),
    "iris": ModelSpec(
        name="iris",
        description="iris flower measurements (4 lengths in cm, 0-50) -> species 0-2",
        n_features=4, min_value=0.0, max_value=50.0, load_data=bundled("load_iris"),
    ),
}


def spec(name: str) -> ModelSpec:
    try:
        return CATALOG[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(sorted(CATALOG))}") from None
