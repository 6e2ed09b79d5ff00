"""The layers, held: a part imports its own layer or those below (tools/layers.py's table, the
design map's order), never above, not even inside a function; no two parts import each other;
reference_impl imports no Django. Where a lower part needs a higher one, the higher registers
itself (as quizzes registers its exams with questions.answering) instead of being imported."""
from pathlib import Path

from tools import layers

ROOT = Path(__file__).resolve().parents[1]


def test_no_module_imports_a_layer_above_its_own():
    assert layers.back_imports() == []


def test_no_two_parts_import_each_other():
    assert layers.package_cycles() == []


def test_reference_impl_imports_no_django():
    assert layers.django_in_reference_impl() == []


def test_every_app_and_package_has_a_place_in_the_table():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages <= set(layers.PACKAGES)


def test_the_scan_sees_imports_inside_functions_and_reports_one_against_the_table():
    # quizzes registers its exams with the answering service from inside AppConfig.ready().
    assert "questions.answering" in {name for _, name in layers.graph()["quizzes.apps"]}
    # What the question pages used to do: reach up into review and progress from a view.
    found = layers.back_imports({"questions.views": [(21, "review.scheduling"), (72, "progress.history")],
                                 "studyapp.api.errors": [(3, "questions.models")]})
    assert found == [
        "questions.views:21: questions.views (question bank) imports review.scheduling (learner features)",
        "questions.views:72: questions.views (question bank) imports progress.history (progress)",
        "studyapp.api.errors:3: studyapp.api.errors (api platform) imports questions.models (question bank)",
    ]
    assert layers.package_cycles({"questions.answering": [(1, "quizzes.models")],
                                  "quizzes.models": [(2, "questions.models")]}) == [("questions", "quizzes")]


def test_the_layers_run_in_the_design_maps_order():
    order = [layers.layer_of(m) for m in ("reference_impl.scaling", "accounts.identity", "studyapp.api.errors",
                                          "accounts.views", "questions.models", "quizzes.models", "review.scheduling",
                                          "progress.history", "classroom.views", "studyapp.urls")]
    assert order == sorted(order) and len(set(order)) == len(order)
