"""The worker image's Dockerfile: pinned, slim, non-root, the worker's own dependencies only.

No Docker daemon runs in the test environment, so these read the Dockerfile and the lock file
(no AWS either: nothing here runs in moto); the README gives the build-and-push commands an
instructor runs. The lock is checked against the installed distributions' own metadata (the
app's virtual environment has the same pins), so a dependency the lock misses fails here.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "reference_impl" / "deploy"
LINES = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()
         if line.strip() and not line.lstrip().startswith("#")]


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.\[\]-]+)==([\w.]+)", line.split("#")[0].strip())
        if match:
            found[match[1].lower()] = match[2]
    return found


def test_the_base_image_is_slim_and_pinned_to_an_exact_release():
    base = [line for line in LINES if line.startswith("FROM ")]
    assert len(base) == 1
    assert re.fullmatch(r"FROM python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", base[0])


def test_it_runs_as_an_unprivileged_user_with_the_worker_as_entry_point():
    users = [line for line in LINES if line.startswith("USER ")]
    assert users and users[-1] != "USER root" and not users[-1].startswith("USER 0")
    assert LINES[-1] == 'ENTRYPOINT ["python", "-m", "reference_impl.worker"]'
    assert LINES.index(users[-1]) > max(i for i, line in enumerate(LINES) if line.startswith(("RUN ", "COPY ")))


def test_it_installs_only_pinned_worker_dependencies_matching_the_apps_pins():
    worker = pins(DEPLOY / "requirements-worker.txt")
    app = pins(ROOT / "requirements.txt")
    assert set(worker) == {"boto3", "scikit-learn", "skops"}
    assert all(app[name] == version for name, version in worker.items())
    assert not {"django", "djangorestframework"} & set(worker)


def locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, sha256 hashes) from a pip hash-checking requirements file."""
    text = path.read_text().replace("\\\n", " ")
    out = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line:
            match = re.fullmatch(r"([a-z0-9_.-]+)==([\w.]+)((?:\s+--hash=sha256:[0-9a-f]{64})+)", line)
            assert match, f"not pinned with hashes: {line!r}"
            out[match[1]] = (match[2], re.findall(r"sha256:([0-9a-f]{64})", match[3]))
    return out


def test_the_image_installs_a_lock_of_every_transitive_package_with_hashes():
    from importlib.metadata import version

    lock = locked(DEPLOY / "requirements-worker.lock")
    direct = pins(DEPLOY / "requirements-worker.txt")
    # the closure the direct pins bring in, read from the installed packages' metadata
    assert set(lock) == _closure(set(direct)), "run make lock"
    assert all(lock[name][0] == pinned for name, pinned in direct.items())
    assert all(lock[name][0] == version(name) for name in lock), "the lock and the app's pins differ"
    install = next(line for line in LINES if "pip install" in line)
    assert "--require-hashes" in install and "--no-deps" in install and "requirements-worker.lock" in install
    assert "COPY reference_impl/deploy/requirements-worker.lock" in " ".join(LINES)


def test_the_build_context_leaves_out_everything_but_the_worker_package():
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*")] == "*" and "!reference_impl/" in ignore
    assert "!reference_impl/deploy/requirements-worker.lock" in ignore
    assert {"reference_impl/deploy/", "reference_impl/simulate/"} <= set(ignore)


# Imports the worker the way the image would: any module from a distribution the image does not
# install, or from a package its build context leaves out, is "not found". Optional imports that
# libraries guard (scikit-learn tries pytest, numpy tries charset_normalizer) then fail quietly
# as they would in the image, and a hard dependency fails the import.
IMAGE_IMPORT = """
import json, sys
allowed = set(json.loads(sys.argv[1]))
left_out = ("reference_impl.deploy", "reference_impl.simulate", "reference_impl.local")

class NotInImage:
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if name.startswith(left_out) or not (top in sys.stdlib_module_names or top in allowed
                                             or top == "reference_impl" or top.startswith("_")):
            raise ModuleNotFoundError(f"No module named {name!r} in the image", name=name)
        return None

sys.meta_path.insert(0, NotInImage())
import reference_impl.worker
print("imported")
"""


def _closure(names: set[str]) -> set[str]:
    """Distributions that installing `names` brings in (their non-optional requirements, recursively)."""
    from importlib.metadata import PackageNotFoundError, requires
    from packaging.requirements import Requirement

    seen, todo = set(), [n.lower() for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            reqs = requires(name) or []
        except PackageNotFoundError:
            continue
        for raw in reqs:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name.lower().replace("_", "-"))
    return seen


def test_the_worker_imports_with_only_what_the_image_installs_and_copies():
    import json
    import subprocess
    import sys
    from importlib.metadata import packages_distributions

    installed = _closure(set(pins(DEPLOY / "requirements-worker.txt")))
    allowed = sorted(module for module, dists in packages_distributions().items()
                     if any(d.lower().replace("_", "-") in installed for d in dists))
    result = subprocess.run([sys.executable, "-c", IMAGE_IMPORT, json.dumps(allowed)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "imported", result.stderr[-2000:]
    assert "pytest" not in allowed and "django" not in allowed
