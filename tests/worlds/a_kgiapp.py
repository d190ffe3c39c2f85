"""Foundation objects the matrix needs: a membership to edit, an API token to revoke."""
from kgiapp.models import Membership
from kgiapp.services import api_token_create


def extend(world):
    world.extra["viewer_membership"] = Membership.objects.get(
        company=world.company, user=world.users["viewer"]
    )
    world.extra["token"], _raw = api_token_create(
        company=world.company, user=world.users["admin"], name="matrix"
    )
