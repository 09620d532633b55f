"""The kiosk's screens, each a class with its .kv file beside it, loaded on first use."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.controller import Controller
    from kiosk.screens.base import KioskScreen

# name -> (module, class); one module's .kv may hold several screens.
SCREENS: dict[str, tuple[str, str]] = {
    "home": ("kiosk.screens.home", "HomeScreen"),
    "help_countdown": ("kiosk.screens.help_countdown", "HelpCountdownScreen"),
    "help_alarm": ("kiosk.screens.help_alarm", "HelpAlarmScreen"),
    "fall": ("kiosk.screens.fall", "FallScreen"),
    "groceries": ("kiosk.screens.groceries", "GroceriesScreen"),
    "grocery_confirm": ("kiosk.screens.groceries", "GroceryConfirmScreen"),
    "grocery_sent": ("kiosk.screens.groceries", "GrocerySentScreen"),
    "requests": ("kiosk.screens.requests", "RequestsScreen"),
    "services": ("kiosk.screens.services", "ServicesScreen"),
    "service_choose": ("kiosk.screens.services", "ServiceChooseScreen"),
    "service_confirm": ("kiosk.screens.services", "ServiceConfirmScreen"),
    "clinic_confirm": ("kiosk.screens.services", "ClinicConfirmScreen"),
    "service_sent": ("kiosk.screens.services", "ServiceSentScreen"),
    "health": ("kiosk.screens.health", "HealthScreen"),
    "listening": ("kiosk.screens.listening", "ListeningScreen"),
    "who": ("kiosk.screens.who", "WhoScreen"),
    "still_there": ("kiosk.screens.still_there", "StillThereScreen"),
    "activities": ("kiosk.screens.activities", "ActivitiesScreen"),
    "activity_confirm": ("kiosk.screens.activities", "ActivityConfirmScreen"),
    "activity_sent": ("kiosk.screens.activities", "ActivitySentScreen"),
    "points": ("kiosk.screens.points", "PointsScreen"),
    "rewards": ("kiosk.screens.points", "RewardsScreen"),
    "reward_confirm": ("kiosk.screens.points", "RewardConfirmScreen"),
    "reward_sent": ("kiosk.screens.points", "RewardSentScreen"),
    "feedback": ("kiosk.screens.feedback", "FeedbackScreen"),
    "feedback_thanks": ("kiosk.screens.feedback", "FeedbackThanksScreen"),
}

_loaded_kv: set[str] = set()


def build_screen(name: str, controller: Controller) -> KioskScreen:
    """Import the screen's module, load its .kv once, and build it."""
    from kivy.lang import Builder

    module_name, class_name = SCREENS[name]
    module = importlib.import_module(module_name)
    kv = Path(module.__file__ or "").with_suffix(".kv")
    if module_name not in _loaded_kv:
        Builder.load_file(str(kv))
        _loaded_kv.add(module_name)
    screen_class = getattr(module, class_name)
    return screen_class(name=name, controller=controller)
