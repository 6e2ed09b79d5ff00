"""The worker image's Dockerfile: pinned, slim, non-root, the worker's own dependencies only.

No Docker daemon runs in the test environment, so these read the Dockerfile; the README gives the
build-and-push commands an instructor runs.
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


def test_the_build_context_leaves_out_everything_but_the_worker_package():
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*")] == "*" and "!reference_impl/" in ignore
    assert {"reference_impl/deploy/", "reference_impl/simulate/"} <= set(ignore)
