"""The one grading function, used by the learner pages and the quiz API."""
from dataclasses import dataclass


class GradingError(ValueError):
    """The selection cannot be graded: it names an unknown option or the wrong number of them.

    `field` and `message` are shaped for form and API error reporting; the input is at fault,
    not the state of a quiz (`conflict`, as in questions.answering's refusals).
    """

    conflict = False

    def __init__(self, message: str, field: str = "selected"):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Grade:
    correct: bool
    selected: list[str]
    correct_labels: list[str]
    # Per option: was it chosen, is it right. Pages and API show every option's explanation.
    missed: list[str]
    wrongly_chosen: list[str]


def grade(question, selected) -> Grade:
    """Grade a selection of option labels against a question's key.

    All-or-nothing, as in AWS exams: correct only when exactly the right options are chosen.
    Raises GradingError when a label is unknown, repeated, or the count differs from the number
    of answers the question asks for ("choose two" must get two).
    """
    labels = [c.label for c in question.choices.all()]
    correct_labels = sorted(c.label for c in question.choices.all() if c.is_correct)
    chosen = list(selected)
    unknown = [s for s in chosen if s not in labels]
    if unknown:
        raise GradingError(f"unknown option {', '.join(map(str, unknown))}; allowed: {', '.join(labels)}")
    if len(set(chosen)) != len(chosen):
        raise GradingError("each option may be chosen once")
    required = len(correct_labels)
    if len(chosen) != required:
        noun = "option" if required == 1 else "options"
        raise GradingError(f"choose exactly {required} {noun}; {len(chosen)} chosen")
    chosen_sorted = sorted(chosen)
    return Grade(
        correct=chosen_sorted == correct_labels,
        selected=chosen_sorted,
        correct_labels=correct_labels,
        missed=[label for label in correct_labels if label not in chosen_sorted],
        wrongly_chosen=[label for label in chosen_sorted if label not in correct_labels],
    )
