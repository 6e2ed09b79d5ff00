"""The locks decide what every install gets: current, complete, hashed, and one version a package.

`make` installs requirements-dev.lock with `--require-hashes --no-deps`; the web image installs
requirements.lock, the worker image its own lock, LocalStack's environment its own. These check
the files against each other and against the environment the suite runs in.
"""
import re
import shutil
from importlib.metadata import distributions
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

from tools import lock as locks

ROOT = Path(__file__).resolve().parents[1]


def entries(path: Path) -> dict[str, tuple[str, Marker | None, list[str]]]:
    """name -> (version, marker, hashes) for every entry that applies here; each must carry hashes."""
    out = {}
    text = path.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("--hash") else line
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-z0-9_.-]+)==(\S+?)\s*(?:;\s*(.+?))?((?:\s+--hash=sha256:[0-9a-f]{64})+)\s*", line)
        assert match, f"{path.name}: not pinned with hashes: {line!r}"
        marker = Marker(match[3]) if match[3] else None
        if marker is None or marker.evaluate():
            out[match[1]] = (match[2], marker, re.findall(r"sha256:([0-9a-f]{64})", match[4]))
    return out


def direct_pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]+\])?==(\S+)", line.split("#")[0].strip())
        if match:
            found[canonicalize_name(match[1])] = match[2]
    return found


def test_every_lock_was_made_from_the_requirements_as_they_are_now():
    assert locks.stale() == [], "run make lock"


def test_a_changed_requirement_makes_its_lock_and_those_derived_from_it_stale(tmp_path):
    for lock in locks.LOCKS:
        for path in [ROOT / lock.output, *lock.inputs()]:
            target = tmp_path / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    assert locks.stale(tmp_path) == []
    with open(tmp_path / "requirements.txt", "a") as f:
        f.write("requests==2.0.0\n")
    problems = locks.stale(tmp_path)
    # the production lock and the dev lock read requirements.txt; LocalStack's does not
    assert [p.split()[0] for p in problems] == ["requirements-dev.lock", "requirements.lock"]
    assert "requirements.txt" in problems[0]


def test_each_direct_pin_is_locked_at_its_version():
    for lock in locks.LOCKS:
        locked = entries(ROOT / lock.output)
        for path in lock.inputs():
            if path.suffix == ".txt":
                for name, version in direct_pins(path).items():
                    assert locked[name][0] == version, (lock.output, name)


def test_the_images_locks_hold_the_versions_the_suite_ran_with():
    dev = entries(ROOT / locks.DEV.output)
    for lock in locks.LOCKS:
        if lock.constraint == locks.DEV.output:
            for name, (version, _, _) in entries(ROOT / lock.output).items():
                assert dev[name][0] == version, (lock.output, name)


def test_this_environment_is_exactly_the_dev_lock():
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
    locked = {name: version for name, (version, _, _) in entries(ROOT / locks.DEV.output).items()}
    assert {name: installed.get(name) for name in locked} == locked
    # nothing the lock leaves out, beyond what a new virtual environment holds
    assert set(installed) - set(locked) <= {"pip", "setuptools"}, set(installed) - set(locked)
