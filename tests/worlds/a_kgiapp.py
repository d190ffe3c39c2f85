"""Foundation objects the matrix needs: a membership to edit, an API token to revoke."""
from teams.models import Membership
from teams.services import api_token_create


def extend(world):
    world.extra["viewer_membership"] = Membership.objects.get(
        company=world.company, user=world.users["viewer"]
    )
    world.extra["token"], _raw = api_token_create(
        company=world.company, user=world.users["admin"], name="matrix"
    )
