from django.test import Client
from ..caselogs.conftest import logbook  # noqa
from ..conftest import sign_in

def test_dump(logbook):
    c = sign_in(Client(), logbook.trainee, code_index=5)
    open("/tmp/lbdebug/form.html", "w").write(c.get("/logbook/new/").content.decode())
