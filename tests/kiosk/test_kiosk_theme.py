"""The theme's numbers and the WCAG contrast formula, without a window."""

from __future__ import annotations

import pytest

from kiosk.contrast import contrast_ratio, hex_colour, relative_luminance
from kiosk.theme import (
    FONT_SCALES,
    OTHER_TEXT_SP_FLOOR,
    PRIMARY_TEXT_SP_FLOOR,
    FontSizes,
    Palette,
    ScreenSpec,
    next_font_scale,
    sp_value,
)


def test_contrast_formula_matches_wcag_reference_values() -> None:
    black, white = hex_colour("#000000"), hex_colour("#FFFFFF")
    assert contrast_ratio(black, white) == pytest.approx(21.0)
    assert contrast_ratio(white, black) == pytest.approx(21.0)  # order does not matter
    assert contrast_ratio(white, white) == pytest.approx(1.0)
    # WCAG's own examples: #777777 on white is just below 4.5:1, #595959 about 7:1.
    assert contrast_ratio(hex_colour("#777777"), white) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(hex_colour("#595959"), white) == pytest.approx(7.0, abs=0.01)
    assert relative_luminance(hex_colour("#FF0000")) == pytest.approx(0.2126)


def test_contrast_of_translucent_colours_is_refused() -> None:
    with pytest.raises(ValueError):
        contrast_ratio((1, 1, 1, 0.5), (0, 0, 0, 1))


def test_every_palette_pair_is_at_least_7_to_1() -> None:
    assert Palette().contrast_problems() == {}
    # ...and the check does catch a weak pair: grey on the help red.
    weak = Palette(text=hex_colour("#CCCCCC"))
    assert "text/help" in weak.contrast_problems()


def test_touch_target_is_20_mm_on_the_configured_screen() -> None:
    spec = ScreenSpec(15.6, 1920, 1080)
    assert spec.px_per_mm == pytest.approx(5.559, abs=0.01)
    assert spec.min_target_px == 112  # ceil(20 mm * 5.56 px/mm); SENIOR_UX says "about 110"
    assert spec.min_target_px / spec.px_per_mm >= 20.0
    # A smaller screen with the same pixels has denser pixels: the target grows in px.
    assert ScreenSpec(10.1, 1920, 1080).min_target_px > 160
    assert ScreenSpec.parse("21.5:1920x1080") == ScreenSpec(21.5, 1920, 1080)
    with pytest.raises(ValueError):
        ScreenSpec.parse("big")


def test_theme_font_sizes_are_above_the_floors() -> None:
    fonts = FontSizes()
    assert sp_value(fonts.tile) >= PRIMARY_TEXT_SP_FLOOR
    assert sp_value(fonts.headline) >= PRIMARY_TEXT_SP_FLOOR
    for size in (fonts.tile_second, fonts.body, fonts.switch, fonts.status):
        assert sp_value(size) >= OTHER_TEXT_SP_FLOOR


def test_text_size_switch_cycles_up_to_one_and_a_half() -> None:
    assert FONT_SCALES[-1] == 1.5
    assert [next_font_scale(s) for s in (1.0, 1.25, 1.5)] == [1.25, 1.5, 1.0]
