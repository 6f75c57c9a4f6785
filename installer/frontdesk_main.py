"""The bundle's entry point: the `frontdesk` command, as the wheel's console script runs it."""

import sys

from frontdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
