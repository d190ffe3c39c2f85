"""A race past a service's check, or a write no service wrapped, still reads as the message."""
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import RequestFactory
from django.utils import translation

from core.integrity import constraint_name, refuse_constraints
from tests.kgiapp.constraint_races import RACE_CASES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("constraint", sorted(RACE_CASES))
def test_a_race_past_the_check_reads_as_the_message(constraint, world):
    with pytest.raises(ValidationError) as caught:
        with refuse_constraints():
            RACE_CASES[constraint](world)
    assert isinstance(caught.value.__cause__, IntegrityError)
    assert constraint_name(caught.value.__cause__) == constraint


def test_an_unwrapped_write_is_a_409_with_the_message_not_a_500(world):
    """The middleware backstop: an IntegrityError that escaped a view reads as its message."""
    from django.contrib.messages.storage.fallback import FallbackStorage

    from core.middleware import ConstraintMiddleware
    from teams.models import Team

    try:
        from django.db import transaction

        with transaction.atomic():
            Team.objects.create(company=world.company, slug="sales", name="Another")
    except IntegrityError as exc:
        error = exc
    translation.activate("en")
    request = RequestFactory().post("/acme/settings/teams/")
    request.user = world.user("admin")
    request.session = {}
    request._messages = FallbackStorage(request)
    response = ConstraintMiddleware(lambda r: None).process_exception(request, error)
    assert response.status_code == 409
    assert "URL name already exists" in response.content.decode()
    api = RequestFactory().post("/api/v1/acme/x")
    answer = ConstraintMiddleware(lambda r: None).process_exception(api, error)
    assert answer.status_code == 409 and b"already exists" in answer.content
    unknown = IntegrityError("something else")
    assert ConstraintMiddleware(lambda r: None).process_exception(request, unknown) is None
