"""`python -m noncoop`: the command line, as the `noncoop` command runs it."""

from noncoop.cli import main

main()
