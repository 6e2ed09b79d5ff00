"""Roster sync (LTI Names and Role Provisioning Services 2.0): the LMS's member list becomes the
linked course's memberships.

django-lti fetches the members (PyLTI1p3's NRPS client, with the tool's signed token) and keeps
its own LtiUser/LtiMembership rows; here each active member gets an account and the course role
of their LMS roles, and a member the LMS lists as inactive or deleted leaves the course. The
instructor who asks keeps their own membership whatever the list says.
"""
from dataclasses import dataclass

from django.db import transaction
from lti_tool.models import LtiUser
from lti_tool.services.nrps import fetch_member_data

from classroom.models import Membership
from lti import provisioning


@dataclass
class Synced:
    enrolled: int = 0
    removed: int = 0
    skipped: int = 0


def sync(course, context, keep_user=None) -> Synced:
    members = fetch_member_data(context)   # network first, outside the transaction
    result = Synced()
    registration = context.deployment.registration
    with transaction.atomic():
        context.update_memberships(members)
        for member in members:
            lti_user = LtiUser.objects.get(registration=registration, sub=member["user_id"])
            user = provisioning.account_for(lti_user)
            if keep_user is not None and user.pk == keep_user.pk:
                continue
            if member.get("status", "Active") != "Active":
                result.removed += Membership.objects.filter(course=course, user=user).delete()[0]
                continue
            try:
                role = provisioning.course_role(member.get("roles", []))
            except provisioning.UnsupportedRole:
                result.skipped += 1
                continue
            provisioning.enrol(course, user, role)
            result.enrolled += 1
    return result
