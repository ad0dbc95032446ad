"""Command line: `python manage.py COMMAND …` (`--help` lists them). The commands are app/cli.py."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
