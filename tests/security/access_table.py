"""The access table: for every named URL, what each role gets, for an object that is its own, one
of another trainee of the same organisation, and one of another organisation.

A cell is one expected outcome for all three relations, or a tuple (own, same_org, other_org).
Outcomes are status codes, LOGIN (a redirect to the sign-in page) or MOVED (any other redirect: a
form's "done", a frozen version sending you to its page). What a role may not
see answers 404; what it may see but not do answers 403; nothing denied ever answers 200.

Adding a URL? Add a line here: test_access_matrix.py fails, naming it, until you do.
The admin site is one family (ADMIN below), not listed URL by URL.
"""

from dataclasses import dataclass

from .matrix_world import ROLES

LOGIN = "login"
MOVED = "redirect"
# Visibility shorthands: (own, same_org, other_org).
OWN = (200, 404, 404)  # only their own trainee's
ORG = (200, 200, 404)  # everything of their own organisations
ALL = (200, 200, 200)  # administrators: every organisation


@dataclass(frozen=True)
class Rule:
    subject: str | None  # the kind of object whose relation the kwargs are filled from
    method: str
    anonymous: object
    roles: dict


def rule(subject=None, *, method="get", anonymous=LOGIN, others=None, **roles) -> Rule:
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"not roles: {unknown}"
    missing = [r for r in ROLES if r not in roles and others is None]
    assert not missing, f"no expectation for {missing}: name them or give others="
    return Rule(subject, method, anonymous, {r: roles.get(r, others) for r in ROLES})


# Who sees an agreement, and so its cases, progress, curve, sign-off steps and PDF.
SEES_AGREEMENT = dict(
    trainee=OWN,
    supervisor=OWN,
    training_lead=ORG,
    clinical_director=ORG,
    medical_director=ORG,
    governance_lead=ORG,
    administrator=ALL,
)
GOVERNANCE = dict(trainee=403, supervisor=403, others=200)

TABLE = {
    # People, sign-in and two-factor ------------------------------------------------------------
    "home": rule(others=200),
    "health": rule(anonymous=200, others=200),
    # Public, linked from every footer (issue 14).
    "accessibility": rule(anonymous=200, others=200),
    "favicon": rule(anonymous=MOVED, others=MOVED),
    "accounts:login": rule(anonymous=200, others=MOVED),
    "accounts:logout": rule(method="post", anonymous=LOGIN, others=LOGIN),
    # Signed in with a second factor, anyone may add an authenticator or see their codes.
    "accounts:two_factor_setup": rule(others=200),
    "accounts:two_factor_verify": rule(others=MOVED),
    "accounts:backup_codes": rule(others=MOVED),
    "accounts:backup_codes_new": rule(method="post", others=MOVED),
    "accounts:security": rule(others=200),
    "accounts:password_change": rule(others=200),
    "accounts:password_change_done": rule(others=200),
    "accounts:password_reset": rule(anonymous=200, others=200),
    "accounts:password_reset_done": rule(anonymous=200, others=200),
    # With a token that is not valid: the "link expired" page, for anyone.
    "accounts:password_reset_confirm": rule(anonymous=200, others=200),
    "accounts:password_reset_complete": rule(anonymous=200, others=200),
    "accounts:organisation_list": rule(others=200),
    # own = the organisation of the actor's membership; same_org = the trainees' employer.
    "accounts:organisation_detail": rule(
        "organisation",
        trainee=ORG,
        supervisor=OWN,
        training_lead=OWN,
        clinical_director=ORG,
        medical_director=ORG,
        governance_lead=ORG,
        administrator=ALL,
    ),
    "audit:event_list": rule(others=403, administrator=200),
    # Sign-offs -----------------------------------------------------------------------------
    "signoffs:sign": rule("step", **SEES_AGREEMENT),
    # Agreements ----------------------------------------------------------------------------
    "agreements:list": rule(others=200),
    "agreements:new": rule(others=403, training_lead=200, clinical_director=200, administrator=200),
    "agreements:detail": rule("agreement", **SEES_AGREEMENT),
    "agreements:version": rule("agreement", **SEES_AGREEMENT),
    # Drafters of the employer or centre may edit, amend, end. The version in force is frozen:
    # its edit page sends them to the agreement.
    "agreements:edit": rule(
        "agreement",
        trainee=(403, 404, 404),
        supervisor=(403, 404, 404),
        training_lead=(MOVED, MOVED, 404),
        clinical_director=(MOVED, MOVED, 404),
        medical_director=(403, 403, 404),
        governance_lead=(403, 403, 404),
        administrator=(MOVED,) * 3,
    ),
    "agreements:amend": rule(
        "agreement",
        method="post",
        trainee=(403, 404, 404),
        supervisor=(403, 404, 404),
        training_lead=(MOVED, MOVED, 404),
        clinical_director=(MOVED, MOVED, 404),
        medical_director=(403, 403, 404),
        governance_lead=(403, 403, 404),
        administrator=(MOVED,) * 3,
    ),
    "agreements:end": rule(
        "agreement",
        trainee=(403, 404, 404),
        supervisor=(403, 404, 404),
        training_lead=ORG,
        clinical_director=ORG,
        medical_director=(403, 403, 404),
        governance_lead=(403, 403, 404),
        administrator=ALL,
    ),
    # Logbook -------------------------------------------------------------------------------
    "caselogs:list": rule(others=200),
    "caselogs:new": rule(others=403, trainee=200),
    "caselogs:import": rule(others=403, trainee=200),
    "caselogs:import_template": rule(others=403, trainee=200),
    "caselogs:queue": rule(others=200),
    "caselogs:detail": rule("case", **SEES_AGREEMENT),
    # Only the trainee corrects their case; only its supervisor verifies it.
    "caselogs:edit": rule(
        "case",
        trainee=OWN,
        supervisor=(403, 404, 404),
        others=(403, 403, 404),
        administrator=(403, 403, 403),
    ),
    "caselogs:verify": rule("case", others=404, supervisor=OWN),
    "caselogs:activities": rule(others=200),
    "caselogs:activity_new": rule(others=403, trainee=200),
    "caselogs:activity_decide": rule(
        "activity",
        method="post",
        trainee=(403, 404, 404),
        supervisor=(MOVED, 404, 404),
        others=(403, 403, 404),
        administrator=(403, 403, 403),
    ),
    "caselogs:assessments": rule(others=200),
    "caselogs:assessment_new": rule(others=403, supervisor=200),
    # Phases --------------------------------------------------------------------------------
    "phases:progress": rule("agreement", **SEES_AGREEMENT),
    # The trainee and their named supervisors ask for progression; supervisors sign competencies.
    # Others who may see the agreement may not act on it: 403.
    "phases:request": rule(
        "agreement",
        method="post",
        trainee=(MOVED, 404, 404),
        supervisor=(MOVED, 404, 404),
        others=(403, 403, 404),
        administrator=(403,) * 3,
    ),
    "phases:competency": rule(
        "agreement",
        method="post",
        trainee=(403, 404, 404),
        supervisor=(MOVED, 404, 404),
        others=(403, 403, 404),
        administrator=(403,) * 3,
    ),
    # The employer's clinical and medical directors return a trainee to an earlier phase; with
    # the governance lead they open the annual review.
    "phases:return": rule(
        "agreement",
        trainee=(403, 404, 404),
        supervisor=(403, 404, 404),
        training_lead=(403, 403, 404),
        clinical_director=ORG,
        medical_director=ORG,
        governance_lead=(403, 403, 404),
        administrator=(403, 403, 403),
    ),
    "phases:annual_review": rule(
        "agreement",
        method="post",
        trainee=(403, 404, 404),
        supervisor=(403, 404, 404),
        training_lead=(403, 403, 404),
        clinical_director=(MOVED, MOVED, 404),
        medical_director=(MOVED, MOVED, 404),
        governance_lead=(MOVED, MOVED, 404),
        administrator=(403, 403, 403),
    ),
    # Governance ----------------------------------------------------------------------------
    "governance:dashboard": rule(**GOVERNANCE),
    "governance:reports": rule(**GOVERNANCE),
    # A report's figures are its requester's scope: only they and administrators open it.
    "governance:report": rule("report", trainee=404, supervisor=404, others=OWN, administrator=ALL),
    "governance:report_chart": rule(
        "report", trainee=404, supervisor=404, others=OWN, administrator=ALL
    ),
    "governance:learning_curve": rule("agreement", **SEES_AGREEMENT),
    "governance:learning_curve_svg": rule("agreement", **SEES_AGREEMENT),
    # Everyone exports, each only their own scope (tests/governance/test_governance_access.py).
    "governance:exports": rule(others=200),
    "governance:export_download": rule(others=200),
    # Reconciliation (issue 16) ----------------------------------------------------------------
    # Lists and samples are the centre's (where the procedures happened): its training lead
    # imports, draws and records; the employer's governance lead imports its own sites' lists.
    "reconciliation:home": rule(
        trainee=403,
        supervisor=403,
        clinical_director=403,
        medical_director=403,
        others=200,
    ),
    "reconciliation:list_upload": rule(
        trainee=403,
        supervisor=403,
        clinical_director=403,
        medical_director=403,
        others=200,
    ),
    "reconciliation:list_detail": rule(
        "procedure_list", training_lead=ORG, administrator=ALL, others=404
    ),
    # Each trainee sees only the entries naming their own GMC number.
    "reconciliation:not_logged": rule(others=200),
    "reconciliation:not_logged_log": rule("not_logged", trainee=(MOVED, 404, 404), others=404),
    "reconciliation:not_logged_not_involved": rule(
        "not_logged", method="post", trainee=(MOVED, 404, 404), others=404
    ),
    "reconciliation:sample_draw": rule(training_lead=200, administrator=200, others=403),
    "reconciliation:sample_detail": rule(
        "sample", training_lead=ORG, administrator=ALL, others=404
    ),
    "reconciliation:sampled_case": rule("sample", training_lead=ORG, administrator=ALL, others=404),
    # Documents -----------------------------------------------------------------------------
    # Public by design: kind, person, issue date, status and hash, for anyone holding the code.
    "documents:verify": rule("document", anonymous=200, others=200),
    "documents:download": rule("document", **SEES_AGREEMENT),
    "documents:status": rule("document", **SEES_AGREEMENT),
    # The matrix's document is an agreement, which has no credential: 404 for everyone signed in
    # (the certificate's credential: tests/phases/test_certificate_credential.py).
    "documents:credential_download": rule("document", others=404),
    # Public by design: the keys, the check page, each issuer's profile and status list.
    "documents:jwks": rule(anonymous=200, others=200),
    "documents:credential_check": rule(anonymous=200, others=200),
    "documents:credential_status_list": rule(anonymous=200, others=200),
    "documents:credential_issuer": rule(anonymous=200, others=200),
}

# The admin site: only an administrator who has given a second factor gets in. Its own pages may
# still refuse an action (adding an audit event: 403) or not find a row (a model with none: 404);
# never a 500. Anyone else signed in is sent to the admin's sign-in, which refuses them (403);
# anonymous visitors are sent through it to the app's sign-in.
ADMIN_PREFIX = "admin:"
ADMIN = {
    "anonymous": LOGIN,
    "signed_in": "admin-login",
    "admin:login": 403,
    # Sign-out is a POST (405 to a GET); the admin sends anyone else to its index, then sign-in.
    "admin:logout": (MOVED, 405),
    "administrator": (200, MOVED, 403, 404),
}
