"""The kiosk's building blocks: painted panels, labels in the kiosk font, big buttons.

Every widget that paints a background says so in `bg_color`; the accessibility checks
read label colours against the nearest such background, so what they judge is what the
screen draws.
"""

from __future__ import annotations

from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.fonts import FONT_NAME
from kiosk.i18n import Lang, Translator
from kiosk.theme import current


class Panel(BoxLayout):
    """A box that paints its own background (and an optional outline)."""

    bg_color = ColorProperty((0, 0, 0, 1))
    outline_color = ColorProperty((0, 0, 0, 0))
    outline_width = NumericProperty(0)


class KLabel(Label):
    """Text in the kiosk font. `role` is what the size rules check: "primary" text must be
    at least 32 sp, everything else at least 24 sp."""

    role = OptionProperty("other", options=["primary", "other"])

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("font_name", FONT_NAME)
        super().__init__(**kwargs)


class BigButton(ButtonBehavior, Panel):
    """A touch target painted as a panel. `primary` marks the screen's main choices (at most
    six per screen); those carry an icon and two languages."""

    primary = BooleanProperty(False)
    action = StringProperty("")  # a name for logs and tests ("help", "cancel", ...)


class Tile(BigButton):
    """A primary button: icon, the word in the chosen language, the word in the second one.

    `key` is the catalogue key; the labels follow `lang` as soon as it changes.
    """

    key = StringProperty("")
    icon = StringProperty("")
    lang = StringProperty(Lang.ZH.value)
    translator = ObjectProperty(None, allownone=True)
    first = StringProperty("")
    second = StringProperty("")
    ink = ColorProperty((1, 1, 1, 1))  # text and icon colour
    first_size = StringProperty(current().fonts.tile)
    second_size = StringProperty(current().fonts.tile_second)

    def on_kv_post(self, base_widget: object) -> None:
        self.bind(key=self._relabel, lang=self._relabel, translator=self._relabel)
        self._relabel()

    def _relabel(self, *_args: object) -> None:
        translator: Translator | None = self.translator
        if translator is None or not self.key:
            return
        self.first, self.second = translator.pair(self.key, Lang(self.lang))


class SwitchButton(BigButton):
    """A secondary button with one line of text (language, text size, say it again)."""

    text = StringProperty("")
    selected = BooleanProperty(False)
    content_height = NumericProperty(0)  # its text's height; a bar grows to fit it


class SwitchBar(BoxLayout):
    """A row of switches as tall as the tallest one's text (at least `min_height`): at font
    scale 1.5 the words wrap, and a fixed bar would cut them off."""

    min_height = NumericProperty(0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.size_hint_y = None
        self.bind(children=self._watch, min_height=self._fit)

    def _watch(self, *_args: object) -> None:
        for child in self.children:
            if isinstance(child, SwitchButton):
                # Unbind first: `children` changes once per added switch.
                child.unbind(content_height=self._fit)
                child.bind(content_height=self._fit)
        self._fit()

    def _fit(self, *_args: object) -> None:
        heights = [child.content_height for child in self.children
                   if isinstance(child, SwitchButton)]
        self.height = max([self.min_height, *heights])
