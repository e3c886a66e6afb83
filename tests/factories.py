"""Factories that build people and organisations through the same services the app uses."""

import factory
from django.utils import timezone

from accounts.models import Directorate, Organisation, Role, Site, User
from accounts.services import backup_codes_set, membership_create, user_create

TEST_PASSWORD = "correct-horse-battery-staple"
TEST_BACKUP_CODES = [f"test-{n:04d}" for n in range(1, 11)]


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Hospitals NHS Trust {n}")
    kind = Organisation.Kind.NHS_TRUST
    is_training_centre = False


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Test General Hospital {n}")


class DirectorateFactory(factory.django.DjangoModelFactory[Directorate]):
    class Meta:
        model = Directorate

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Directorate {n}")


_gmc = iter(range(6000000, 7000000))


def make_user(
    *, full_name="Dr Test Person", email=None, gmc_number=None, password=TEST_PASSWORD
) -> User:
    n = next(_gmc)
    return user_create(
        actor=None,
        email=email or f"person{n}@example.org",
        full_name=full_name,
        password=password,
        gmc_number=str(n) if gmc_number is None else gmc_number,
    )


def make_member(
    role,
    organisation,
    *,
    directorate=None,
    valid_from=None,
    valid_to=None,
    second_factor=True,
    **user_kw,
) -> User:
    """A person with one membership; every role but trainee also gets backup codes, unless
    ``second_factor`` is False (a person who has not enrolled yet)."""
    user = make_user(**user_kw)
    membership_create(
        actor=None,
        user=user,
        role=role,
        organisation=organisation,
        directorate=directorate,
        valid_from=valid_from or timezone.localdate(),
        valid_to=valid_to,
    )
    if second_factor and role != Role.TRAINEE:
        backup_codes_set(actor=None, user=user, codes=TEST_BACKUP_CODES)
    return user


def unused_backup_code(user) -> str:
    """Each person's backup codes work once: the next one not yet used."""
    return next(
        code
        for code in TEST_BACKUP_CODES
        if user.staticdevice_set.filter(token_set__token=code).exists()
    )
