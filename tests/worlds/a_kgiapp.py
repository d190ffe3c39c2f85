"""Foundation objects the matrix needs: a membership to edit, an API token and an
invitation to revoke."""
from datetime import timedelta

from django.utils import timezone

from teams.models import Invitation, Membership, Role, hash_secret
from teams.services import api_token_create


def extend(world):
    world.extra["viewer_membership"] = Membership.objects.get(
        company=world.company, user=world.users["viewer"]
    )
    world.extra["token"], _raw = api_token_create(
        company=world.company, user=world.users["admin"], name="matrix"
    )
    world.extra["invitation"] = Invitation.objects.create(
        company=world.company, email="invitee@example.com", role=Role.MEMBER,
        token_hash=hash_secret("matrix-invitation"), created_by=world.users["admin"],
        expires_at=timezone.now() + timedelta(days=7))
