"""One module per sub-command. Each defines `add_parser(subparsers)` and `run(args) -> int`.

In: the parsed command line (kiosk.cli dispatches here).
Out: an exit status, and whatever the command prints, runs or writes.
Must not import: other kiosk modules at module level, only inside functions (`--help` stays light).
"""
