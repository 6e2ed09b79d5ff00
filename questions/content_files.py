"""YAML files kept beside a question (its diagrams, its notes): read once per change."""
from functools import lru_cache

import yaml

# libyaml's loader where PyYAML was built with it (the wheels are): the same documents, about
# fourteen times faster than the pure-Python one (4 ms -> 0.3 ms for a question's front matter),
# which was most of loading the bank at every start.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=128)
def read_yaml(path: str, mtime: float):
    """The file's data, cached by path and modification time; ValueError naming the file if it is
    not valid YAML. Callers pass `path.stat().st_mtime`, so an edited file is read again."""
    with open(path, encoding="utf-8") as fh:
        try:
            return yaml.load(fh, Loader=SAFE_LOADER)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: invalid YAML: {exc}") from None
