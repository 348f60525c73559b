"""`python -m runs` is the `fleet` command."""
import sys

from runs.commands.cli import main

sys.exit(main())
