"""The classroom sits above the learner features (the design map's layers): it uses questions,
quizzes, drills and reports, and none of them, nor accounts, imports it, so a course can never
become something a quiz needs in order to run."""
import pytest

from tests.accounts.test_import_boundaries import imported_packages

BELOW = ["accounts", "questions", "quizzes", "drills", "reports", "review", "progress", "labs", "reference_impl"]


@pytest.mark.parametrize("package", BELOW)
def test_no_lower_part_imports_the_classroom(package):
    assert sorted(path for path, names in imported_packages(package).items() if "classroom" in names) == []


def test_the_classroom_runs_assignments_on_the_quiz_engine():
    used = set().union(*imported_packages("classroom").values())
    assert {"quizzes", "questions", "drills", "reports", "accounts"} <= used
