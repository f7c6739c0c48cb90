"""`/api/v1/auth/token/`: exchange a username and password for a token (POST, under the
sign-in lockout), or revoke one's own token (DELETE)."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .signin import (
    client_address,
    locked_message,
    signin_failed,
    signin_locked_seconds,
    signin_succeeded,
)
from .tokens import api_token_issue, api_token_revoke, token_expires_at


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, max_length=4096
    )


TokenResponse = inline_serializer(
    "TokenResponse",
    {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()},
)
Detail = inline_serializer("TokenErrorDetail", {"detail": serializers.CharField()})


class TokenView(APIView):
    def get_authenticators(self):
        # Signing in needs no prior authentication (and no CSRF token); revoking does.
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponse,
            400: OpenApiResponse(description="Wrong username or password, or bad input."),
            429: OpenApiResponse(Detail, description="Too many failed sign-ins; try later."),
        },
        auth=[],
    )
    def post(self, request):
        """Exchange a username and password for an API token (header `Authorization: Token
        <key>`), valid until `expires_at`. Repeated failures lock the username and the address
        out for a while (429)."""
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        address = client_address(request)
        if wait := signin_locked_seconds(username=username, address=address):
            return Response(
                {"detail": locked_message(wait)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(wait)},
            )
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if user is None or not user.is_active:
            signin_failed(username=username, address=address)
            return Response(
                {"non_field_errors": ["Unable to sign in with these credentials."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        signin_succeeded(username=username)
        token = api_token_issue(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Revoke your own API token; requests sending it get 401 from now on."""
        api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
