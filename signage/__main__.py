"""``python -m signage`` runs the command line, like the ``signage`` script."""

from signage.cli import main

main()
