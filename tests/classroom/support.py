"""Helpers for the classroom tests: questions, instructors, courses and assignments made directly."""
from classroom.models import Assignment, AssignmentQuestion, Course, Membership
from questions.models import Choice, Question
from tests.support import PASSWORD


def make_question(external_id: str, right: str = "A", labels: str = "ABCD") -> Question:
    q = Question.objects.create(external_id=external_id, title=f"Question {external_id}", stem="Which one?",
                                domain="design")
    Choice.objects.bulk_create(Choice(question=q, label=label, text=f"Option {label}", is_correct=label == right,
                                      why="Because.", order=i) for i, label in enumerate(labels))
    return q


def make_site_instructor(django_user_model, name):
    from django.contrib.auth.models import Group

    from accounts.roles import INSTRUCTORS_GROUP

    user = django_user_model.objects.create_user(name, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    return user


def make_course(title, instructor, *learners) -> Course:
    course = Course.objects.create(title=title, created_by=instructor)
    Membership.objects.create(course=course, user=instructor, role=Membership.Role.INSTRUCTOR)
    for user in learners:
        Membership.objects.create(course=course, user=user, role=Membership.Role.LEARNER)
    return course


def make_assignment(course, questions, kind=Assignment.Kind.PRACTICE, **fields) -> Assignment:
    assignment = Assignment.objects.create(course=course, title=fields.pop("title", f"{kind} work"), kind=kind,
                                           **fields)
    AssignmentQuestion.objects.bulk_create(AssignmentQuestion(assignment=assignment, question=q, position=i)
                                           for i, q in enumerate(questions))
    return assignment


def as_user(client, user):
    client.force_login(user)
    return client
