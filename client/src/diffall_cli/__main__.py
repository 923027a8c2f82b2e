"""`python -m diffall_cli` is the `diffall` command."""

import sys

from diffall_cli.cli import main

sys.exit(main())
