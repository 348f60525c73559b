"""`python3 -m tests.golden [--update] [NAME ...]`: compare (or regenerate) the golden outputs."""
import sys

from tests.golden import main

sys.exit(main(sys.argv[1:]))
