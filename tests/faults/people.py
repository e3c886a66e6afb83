"""People who sign in through the app's web processes, and the world of the database restart test.

Both run with Django set up: `allow_web_sign_in` in the test process, `seed_restart_world` in a
`manage.py shell` on the private PostgreSQL cluster (it prints what the test needs as JSON).
"""

import json

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.models import User
from tests.factories import TEST_PASSWORD

LOAD_CODES = [f"load-{n:04d}" for n in range(1, 81)]


def allow_web_sign_in(*users) -> None:
    """Tests hash passwords with MD5 for speed; the web processes accept only their real hashers."""
    hasher = PBKDF2PasswordHasher()
    for user in users:
        User.objects.filter(pk=user.pk).update(
            password=hasher.encode(TEST_PASSWORD, hasher.salt(), iterations=1000)
        )


def seed_restart_world(agreements: int) -> None:
    """A trainee who can log cases, and `agreements` agreements waiting for three signers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from accounts.models import Role
    from accounts.services import backup_codes_set
    from agreements.criteria_defaults import default_template_ensure
    from agreements.models import CriteriaTemplate, CriterionTemplate
    from agreements.services import SupervisorChoice, agreement_create, agreement_version_submit
    from tests.agreements.conftest import (
        build_world,
        draft,
        signer_for,
        submit_and_sign_all,
        terms_for,
    )
    from tests.factories import SiteFactory, make_member

    world = build_world()
    submit_and_sign_all(world, draft(world))
    site = SiteFactory.create(organisation=world.centre, name="Southbank Royal Infirmary")
    signers = [world.lead_supervisor, world.training_lead, world.employer_clinical_director]
    template = default_template_ensure(CriteriaTemplate, CriterionTemplate)
    steps: dict[int, list[int]] = {signer.pk: [] for signer in signers}
    for n in range(agreements):
        trainee = make_member(
            Role.TRAINEE,
            world.employer,
            directorate=world.employer_directorate,
            full_name=f"Dr Load {n}",
        )
        agreement = agreement_create(
            actor=world.training_lead,
            trainee=trainee,
            terms=terms_for(world),
            supervisors=SupervisorChoice(
                supervisors=[world.lead_supervisor, world.second_supervisor],
                lead=world.lead_supervisor,
            ),
            criteria_template=template,
        )
        request = agreement_version_submit(
            actor=world.training_lead, version=agreement.versions.get()
        )
        for step in request.steps.all():
            if step.named_user_id == trainee.pk:
                continue
            signer = signer_for(world, step)
            if signer.pk in steps:
                steps[signer.pk].append(step.pk)
    for person in (world.trainee, *signers):
        backup_codes_set(actor=None, user=person, codes=LOAD_CODES)
    allow_web_sign_in(world.trainee, *signers)
    print(
        "WORLD "
        + json.dumps(
            {
                "trainee": world.trainee.email,
                "case_form": {"site": site.pk, "supervisor": world.lead_supervisor.pk},
                "signers": [{"email": s.email, "steps": steps[s.pk]} for s in signers],
            }
        )
    )
