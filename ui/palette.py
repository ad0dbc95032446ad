"""The one palette every chart and status uses: Okabe & Ito's colour-blind-safe colours.

Okabe–Ito's eight colours stay apart for the common colour-vision deficiencies. Their orange and
sky blue are too light for marks on white (under WCAG's 3:1 for graphics), so marks that carry a
meaning (statuses, the actual series) use the darker ones and a darkened orange; the light ones are
left to fills of several series, which also differ by hatch pattern. Grey print cannot tell every
hue apart, so no chart relies on colour alone (ui.status gives each status a marker and a pattern).
"""

from __future__ import annotations

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
OKABE_ITO = (BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION, REDDISH_PURPLE)

DARK_ORANGE = "#B07800"  # Okabe–Ito's orange darkened to 3.8:1 on white (the original is 2.3:1)
GREY = "#767676"  # the lightest grey with 4.5:1 on white: "cannot assess", not-started, notes
LIGHT_GREY = "#d0d7de"  # fills behind marks (year-to-date bars, elapsed share), never a mark itself
INK = "#1f2328"

# Series without a meaning of their own (a revenue's parts, designations by year), in this order;
# yellow last, as the colour a grey print loses first.
COLORWAY = [BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, VERMILLION, BLACK, YELLOW]


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a '#rrggbb' colour."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21); against white unless told."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
