"""`python -m runs` is the `fleet` command."""
from runs.commands.cli import command

command()
