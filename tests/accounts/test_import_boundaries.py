"""Labs and the question bank meet only through accounts (the instructor role, tokens) and
reference_impl: neither imports the other, so either can change without the other noticing.
Likewise the deployer and the simulator: what both need about the workload lives in
reference_impl/workload.py, so the deployer never reads the simulator's tables."""
import pytest

from tests.support import imported_modules, imported_packages


@pytest.mark.parametrize("package, other", [("labs", "questions"), ("questions", "labs")])
def test_labs_and_questions_do_not_import_each_other(package, other):
    offenders = sorted(path for path, names in imported_packages(package).items() if other in names)
    assert offenders == []


def test_both_take_the_instructor_role_from_accounts():
    for package in ("labs", "questions"):
        assert any("accounts" in names for names in imported_packages(package).values()), package


def test_the_deployer_does_not_import_the_simulator():
    offenders = sorted(path for path, names in imported_modules("reference_impl/deploy").items()
                       if any(n == "reference_impl.simulate" or n.startswith("reference_impl.simulate.") for n in names))
    assert offenders == []
    # The check sees an import of the simulator where there is one.
    assert any("reference_impl.simulate" in names for names in imported_modules("benchmarks").values())
