"""The command line: one module per `ape run` script (scripts/NAME.py imports stocksuite.cli.NAME), and
:mod:`stocksuite.cli.common`, the command class, options and one-line failures they share. The only layer
that prints, prompts or exits."""
