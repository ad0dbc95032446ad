"""How a status looks: a word in each language (the catalog's `status.<value>`), a colour, and a marker symbol.

Colour alone fails in grey print and for colour-blind readers, so every status also has a word, a
distinct marker shape and a bar hatch; the colours are Okabe–Ito's (ui.palette), each at least 3:1
against white, from bluish green (achieved) to black (missed).
"""

from __future__ import annotations

from domain.messages import text
from metrics.progress import ACCELERATION_RATIO, ON_TRACK_RATIO, Status
from ui import palette

ORDER: tuple[Status, ...] = tuple(Status)  # best first: how tables and counts list them
COLOURS: dict[Status, str] = {
    Status.ACHIEVED: palette.BLUISH_GREEN,
    Status.ON_TRACK: palette.BLUE,
    Status.ACCELERATION_NEEDED: palette.DARK_ORANGE,
    Status.LIMITED: palette.REDDISH_PURPLE,
    Status.MOVING_AWAY: palette.VERMILLION,
    Status.MISSED: palette.BLACK,
    Status.CANNOT_ASSESS: palette.GREY,
}
# A status word written in its colour is text, which needs 4.5:1 (WCAG AA): the same hues, darker.
TEXT_COLOURS: dict[Status, str] = {
    Status.ACHIEVED: "#007A5A",
    Status.ON_TRACK: palette.BLUE,
    Status.ACCELERATION_NEEDED: "#9A6200",
    Status.LIMITED: "#A8538A",
    Status.MOVING_AWAY: "#B34F00",
    Status.MISSED: palette.BLACK,
    Status.CANNOT_ASSESS: palette.GREY,
}
PATTERNS: dict[Status, str] = {  # plotly's marker.pattern.shape on bars: what a grey print keeps
    Status.ACHIEVED: "",
    Status.ON_TRACK: "/",
    Status.ACCELERATION_NEEDED: ".",
    Status.LIMITED: "x",
    Status.MOVING_AWAY: "\\",
    Status.MISSED: "+",
    Status.CANNOT_ASSESS: "-",
}
SYMBOLS: dict[Status, str] = {
    Status.ACHIEVED: "star",
    Status.ON_TRACK: "circle",
    Status.ACCELERATION_NEEDED: "triangle-up",
    Status.LIMITED: "square",
    Status.MOVING_AWAY: "x",
    Status.MISSED: "diamond",
    Status.CANNOT_ASSESS: "circle-open",
}
ICONS: dict[Status, str] = {  # Material icons for st.badge
    Status.ACHIEVED: ":material/check_circle:",
    Status.ON_TRACK: ":material/trending_up:",
    Status.ACCELERATION_NEEDED: ":material/speed:",
    Status.LIMITED: ":material/warning:",
    Status.MOVING_AWAY: ":material/trending_down:",
    Status.MISSED: ":material/cancel:",
    Status.CANNOT_ASSESS: ":material/help:",
}
BADGE_COLOURS: dict[Status, str] = {  # st.badge's named colours nearest each status's own hue (COLOURS)
    Status.ACHIEVED: "green",
    Status.ON_TRACK: "blue",
    Status.ACCELERATION_NEEDED: "yellow",  # Okabe-Ito's darkened orange reads amber
    Status.LIMITED: "violet",  # reddish purple
    Status.MOVING_AWAY: "orange",  # vermillion
    Status.MISSED: "red",  # black in charts; a badge has no black, and missed is the final failure
    Status.CANNOT_ASSESS: "gray",
}


def word(status: Status | str, lang: str) -> str:
    return text(f"status.{Status(status).value}", lang)


def meaning(status: Status | str, lang: str) -> str:
    """What the status says, in one line (the legend): the progress ratio's thresholds in words."""
    return text(f"status.meaning.{Status(status).value}", lang, on=ON_TRACK_RATIO, slow=ACCELERATION_RATIO)
