"""DRF authentication by kiosk token, so a kiosk uses one token for WebSocket and API.

Use it on the kiosk-facing views (``authentication_classes = [KioskTokenAuthentication]``
with ``permission_classes = [IsKiosk]``) rather than globally: it answers every
``Authorization: Token ...`` header, so it would shadow DRF's own TokenAuthentication.
"""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from . import presence
from .tokens import KEYWORD, token_from_authorization


class KioskUser:
    """Stands in for ``request.user`` on kiosk requests. Not a Django user: no permissions."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, identity):
        self.kiosk_id = identity.kiosk_id
        self.pk = None

    def __str__(self):
        return "kiosk:%s" % self.kiosk_id

    def has_perm(self, perm, obj=None):
        return False


class KioskTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <token>`` → ``(KioskUser, KioskIdentity)``, or 401."""

    keyword = "Token"

    def authenticate(self, request):
        header = get_authorization_header(request)
        if not header.split() or header.split()[0].lower() != KEYWORD.encode():
            return None  # not our scheme: let other authenticators try
        token = token_from_authorization(header)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        identity = presence.authenticate_token(token)
        if identity is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked kiosk token.")
        return KioskUser(identity), identity

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 when unauthenticated.
        return self.keyword


class IsKiosk(BasePermission):
    """Allows requests authenticated by KioskTokenAuthentication only."""

    def has_permission(self, request, view):
        return isinstance(request.user, KioskUser)
