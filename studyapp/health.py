"""Liveness and readiness on the API (/api/v1/health/, /api/v1/ready/), for load balancers."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from studyapp.readiness import readiness


class Health(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(operation_id="getHealth", summary="Liveness", tags=["health"],
                   responses={200: inline_serializer("Health", {"status": serializers.ChoiceField(["ok"])})},
                   description="Answers while the process runs; reads nothing else.")
    def get(self, request):
        return Response({"status": "ok"})


READINESS = inline_serializer("Readiness", {
    "status": serializers.ChoiceField(["ready", "not ready"]),
    "checks": serializers.DictField(child=inline_serializer("ReadinessCheck", {
        "ok": serializers.BooleanField(), "detail": serializers.CharField()})),
})


class Ready(Health):
    """For a load balancer: 200 when the database, the cache and the job worker all work, else
    503 naming the check that failed (studyapp/readiness.py)."""

    @extend_schema(operation_id="getReadiness", summary="Readiness", tags=["health"],
                   responses={200: READINESS, 503: READINESS},
                   description="Readiness for a load balancer: checks `database`, `cache` and `jobs` (the background "
                               "worker keeps up). 200 when all pass; 503 with `ok: false` on the failing ones.")
    def get(self, request):
        checks = readiness()
        ready = all(check.ok for check in checks.values())
        return Response({"status": "ready" if ready else "not ready",
                         "checks": {name: vars(check) for name, check in checks.items()}},
                        status=200 if ready else 503, headers={"Cache-Control": "no-store"})
