"""What the controller takes from the player: the renderer, its layout and its fonts.

A notice's preview on the web pages is drawn by the same code that draws it on the screen, so
that what an author sees is what the public will see; and the time each playlist item carries
is measured by the same layout the player's frames follow. The controller imports this module
and nothing else of the player.
"""

from player.errors import FontNotFound
from player.fonts import FontSet, find_fonts, font_ref
from player.layout import Timing, measure
from player.render import Frame, Rendering, ScreenProfile, render

__all__ = [
    "FontNotFound",
    "FontSet",
    "Frame",
    "Rendering",
    "ScreenProfile",
    "Timing",
    "find_fonts",
    "font_ref",
    "measure",
    "render",
]
