from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.roles import is_instructor


class IsInstructor(BasePermission):
    message = "Only instructors (staff or the 'instructors' group) may do this."

    def has_permission(self, request, view):
        return is_instructor(request.user)


class ReadOnlyOrInstructor(BasePermission):
    message = IsInstructor.message
    public_reads = True  # the schema documents GET/HEAD as open to anyone (studyapp/api/schema.py)

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or is_instructor(request.user)
