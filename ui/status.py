"""How a status looks: a word in each language (the catalog's `status.<value>`), a colour, and a marker symbol.

Colour alone fails in grey print and for colour-blind readers, so every status also has a word and
a distinct marker shape; the palette runs from green (achieved) to dark red (missed).
"""

from __future__ import annotations

from domain.messages import text
from metrics.progress import ACCELERATION_RATIO, ON_TRACK_RATIO, Status

ORDER: tuple[Status, ...] = tuple(Status)  # best first: how tables and counts list them
COLOURS: dict[Status, str] = {
    Status.ACHIEVED: "#1a7f37",
    Status.ON_TRACK: "#2f81f7",
    Status.ACCELERATION_NEEDED: "#bf8700",
    Status.LIMITED: "#e16f24",
    Status.MOVING_AWAY: "#cf222e",
    Status.MISSED: "#82071e",
    Status.CANNOT_ASSESS: "#8c959f",
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
BADGE_COLOURS: dict[Status, str] = {  # st.badge's named colours
    Status.ACHIEVED: "green",
    Status.ON_TRACK: "blue",
    Status.ACCELERATION_NEEDED: "yellow",  # amber in tables: told apart from "limited" (orange) by colour too
    Status.LIMITED: "orange",
    Status.MOVING_AWAY: "red",
    Status.MISSED: "red",
    Status.CANNOT_ASSESS: "gray",
}


def word(status: Status | str, lang: str) -> str:
    return text(f"status.{Status(status).value}", lang)


def meaning(status: Status | str, lang: str) -> str:
    """What the status says, in one line (the legend): the progress ratio's thresholds in words."""
    return text(f"status.meaning.{Status(status).value}", lang, on=ON_TRACK_RATIO, slow=ACCELERATION_RATIO)
