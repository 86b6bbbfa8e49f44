"""The TFLite runtime picker's first address, kept: its home is kiosk.pose.runtime.

../shared/tools/arm64-check (shared, not ours to edit) imports `kiosk.runtime.load_runtime` to
check that the interpreter loads on arm64; without this the Pi check fails on an import, not
on the Pi. New code imports kiosk.pose.runtime. tests/test_shared_tools.py keeps the two tied.
"""

from kiosk.pose.runtime import RUNTIMES, Runtime, available, load_runtime

__all__ = ["RUNTIMES", "Runtime", "available", "load_runtime"]
