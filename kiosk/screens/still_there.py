"""The idle warning: "您还在用吗？" with a big "还要用 / More time"; home when nobody answers."""

from __future__ import annotations

from kiosk.screens.base import KioskScreen


class StillThereScreen(KioskScreen):
    pass
