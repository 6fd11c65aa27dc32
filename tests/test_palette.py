"""The package's categorical colours stay apart under simulated colour-vision deficiencies.

Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of
color vision deficiency", IEEE TVCG 15(6), the matrices for severity 1.0 (dichromacy), applied to
linear sRGB. Difference: CIE76 Delta E, the Euclidean distance in CIELAB (D65 white). A pair must be at
least MIN_DELTA_E apart in normal vision and under each simulation: about six times the just-noticeable
difference of 2.3 (Sharma 2003, Digital Color Imaging Handbook), because categories are told apart by
thin ticks and small markers, not by large patches.
"""

from __future__ import annotations

from itertools import combinations

import matplotlib
import numpy as np
import pytest

from analysis import config, plots

MIN_DELTA_E = 15.0
MACHADO_2009 = {  # severity 1.0, rows: simulated R, G, B from linear R, G, B
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])


def _linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab_from_linear(linear: np.ndarray) -> np.ndarray:
    xyz = SRGB_TO_XYZ @ np.clip(linear, 0, 1) / (SRGB_TO_XYZ @ np.ones(3))
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def lab(colour: str, vision: str = "normal") -> np.ndarray:
    """CIELAB of a Matplotlib colour as seen in ``vision`` (normal or a simulated dichromacy)."""
    linear = _linear(np.array(matplotlib.colors.to_rgb(colour)))
    if vision != "normal":
        linear = np.array(MACHADO_2009[vision]) @ linear
    return _lab_from_linear(linear)


def test_the_colour_conversion_matches_published_values():
    # sRGB red in CIELAB (D65): L 53.24, a 80.09, b 67.20 (Lindbloom's calculator; IEC 61966-2-1 primaries)
    assert lab("#FF0000") == pytest.approx([53.24, 80.09, 67.20], abs=0.01)
    assert lab("white") == pytest.approx([100, 0, 0], abs=1e-6)
    assert lab("#808080")[0] == pytest.approx(53.59, abs=0.01)


@pytest.mark.parametrize("vision", sorted(MACHADO_2009))
def test_simulation_keeps_greys_grey(vision):
    # each matrix's rows sum to 1, so white stays white and greys keep their lightness
    assert np.array(MACHADO_2009[vision]).sum(axis=1) == pytest.approx(np.ones(3), abs=1e-5)
    assert lab("#808080", vision) == pytest.approx(lab("#808080"), abs=0.01)
    # and a dichromat confuses what the model says: red and green collapse under deuteranopia
    if vision == "deuteranopia":
        assert np.linalg.norm(lab("#FF0000", vision) - lab("#00B000", vision)) < \
            np.linalg.norm(lab("#FF0000") - lab("#00B000")) / 3


def _palettes() -> dict[str, list[str]]:
    """Every set of categorical colours a figure or the reading view uses together."""
    from analysis import view

    with plots.style_context():
        cycle = [matplotlib.colors.to_hex(c).upper() for c in plots._colours(len(matplotlib.rcParams["axes.prop_cycle"]))]
    layers = sorted({colour.upper() for colour, _ in view.LAYER_STYLES.values()})
    return {"figure cycle": cycle, "reading view layers": layers,
            "reading view labels": [c.upper() for c in view._OTHER_COLOURS]}


def test_the_figure_palette_is_the_style_file_cycle_and_has_room_for_the_themes():
    palette = _palettes()["figure cycle"]
    assert len(palette) == len(set(palette)) == 13
    text = config.STYLE_FILE.read_text(encoding="utf-8")
    assert all(colour.lstrip("#") in text for colour in palette)


@pytest.mark.parametrize("vision", ["normal", *sorted(MACHADO_2009)])
@pytest.mark.parametrize("palette", ["figure cycle", "reading view layers", "reading view labels"])
def test_every_pair_of_colours_used_together_stays_apart(palette, vision):
    colours = _palettes()[palette]
    close = [(a, b, round(float(np.linalg.norm(lab(a, vision) - lab(b, vision))), 1))
             for a, b in combinations(colours, 2)
             if np.linalg.norm(lab(a, vision) - lab(b, vision)) < MIN_DELTA_E]
    assert not close, f"{palette}, {vision}: pairs closer than Delta E {MIN_DELTA_E}: {close}"
