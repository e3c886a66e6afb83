import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irtraining.settings")
application = get_wsgi_application()

# In production, refuse to serve without collected static files or with the demo's credentials
# in the database (docs/deploy.md, "Start-up refusals").
from irtraining.startup import refuse_to_start_if_misconfigured  # noqa: E402  (needs apps loaded)

refuse_to_start_if_misconfigured()
