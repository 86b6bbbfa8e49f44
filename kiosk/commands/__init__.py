"""One module per sub-command. Each defines `add_parser(subparsers)` and `run(args) -> int`."""
