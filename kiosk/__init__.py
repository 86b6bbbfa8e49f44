"""Hinge Mirror: a smart-mirror kiosk that coaches the hip hinge.

Data flows one way: camera -> pose -> judge -> coach -> screen.
"""

__version__ = "0.1.0"
