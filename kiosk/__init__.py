"""Hinge Mirror: a smart-mirror kiosk that coaches the hip hinge.

Data flows one way: camera -> pose -> judge -> coach -> screen, one package per step:
sources/ -> pose/ -> judge/ -> coach/ -> screen/. Beside them: pi/ (the Pi's edges), review/
(recorded sets), synth/ (generated athletes), bench/ (measuring), commands/ (the CLI).
At the top: cli, config, startup, app (the render loop), worker (the pose thread), history,
doctor, errors. docs/design.md draws it.
"""

__version__ = "0.1.0"
