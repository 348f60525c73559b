"""`python -m runs` is the `fleet` command."""
import sys

from runs.cli import main

sys.exit(main())
