"""YAML files kept beside a question (its diagrams, its notes): read once per change."""
from functools import lru_cache

import yaml


@lru_cache(maxsize=128)
def read_yaml(path: str, mtime: float):
    """The file's data, cached by path and modification time; ValueError naming the file if it is
    not valid YAML. Callers pass `path.stat().st_mtime`, so an edited file is read again."""
    with open(path, encoding="utf-8") as fh:
        try:
            return yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: invalid YAML: {exc}") from None
