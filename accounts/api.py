"""Token login on the API: exchange a password for a token (/api/v1/auth/token/), and revoke it."""
from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import issue_token
from accounts.models import ApiToken
from studyapp.api.errors import ErrorSerializer as E
from studyapp.api.throttling import ScopedThrottle


@extend_schema_serializer(component_name="Credentials")  # "TokenRequest" would be "TokenRequestRequest"
class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>` (or `Token <token>`). Shown once.")
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()


class TokenView(APIView):
    throttle_scope = "login"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        # Password guessing gets its own, stricter budget.
        return [ScopedThrottle()] if self.request.method == "POST" else super().get_throttles()

    @extend_schema(operation_id="createToken", summary="Get a token", tags=["auth"],
                   request=TokenRequestSerializer, responses={201: TokenSerializer, 400: E, 401: E, 429: E},
                   auth=[], description="Exchange a username and password for a token (shown once; stored hashed).")
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The plain HttpRequest: django-axes marks a refused login on it, for its middleware to answer.
        user = authenticate(request._request, username=serializer.validated_data["username"],
                            password=serializer.validated_data["password"])
        if user is None:
            raise AuthenticationFailed("Wrong username or password.")
        token, key = issue_token(user)
        return Response({"token": key, "prefix": token.prefix, "created_at": token.created_at},
                        status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="revokeToken", summary="Revoke my token", tags=["auth"],
                   request=None, responses={204: None, 401: E, 403: E, 429: E},
                   description="Revoke the token this request uses; with a session, revoke all of the caller's tokens.")
    def delete(self, request):
        if isinstance(request.auth, ApiToken):
            request.auth.delete()
        else:
            ApiToken.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
