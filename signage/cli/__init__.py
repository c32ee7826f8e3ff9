"""The ``signage`` command line: set up the database, run the server, manage users and screens.

Every command reads the same settings as the server (``SIGNAGE_*`` variables). A command that
issues a password or token prints it alone on the last line, so a script can capture it with
``tail -n 1``. Bad arguments exit non-zero with a one-line reason.
"""

from __future__ import annotations

# Each module adds its commands to the group.
from signage.cli import database, evidence, keys, people, reports, screens, serve
from signage.cli.base import Context, cli

__all__ = [
    "Context",
    "cli",
    "database",
    "evidence",
    "keys",
    "main",
    "people",
    "reports",
    "screens",
    "serve",
]


def main() -> None:
    cli(prog_name="signage")
