"""The commands docs/deploy.md gives an operator, read from its blocks marked for the smoke test:

    <!-- smoke: web -->
    ```sh
    gunicorn irtraining.wsgi:application ...
    ```

ops/deploy_smoke.py runs them; tests/test_deploy_docs.py checks the Dockerfile and
docker-compose.yml run the same ones. Kept free of Django so the smoke script can import it.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY_DOC = ROOT / "docs" / "deploy.md"

_BLOCK = re.compile(r"<!-- smoke: ([\w-]+) -->\s*```sh\n(.*?)```", re.S)


def deploy_commands(text: str | None = None) -> dict[str, list[str]]:
    """Each marked block's command lines (comments and blank lines dropped), by name."""
    text = DEPLOY_DOC.read_text() if text is None else text
    commands = {}
    for name, body in _BLOCK.findall(text):
        lines = [line.strip() for line in body.splitlines()]
        commands[name] = [line for line in lines if line and not line.startswith("#")]
    return commands
