"""What the controller takes from the player: the renderer and its fonts, to draw previews.

A notice's preview on the web pages is drawn by the same code that draws it on the screen, so
that what an author sees is what the public will see. The controller imports this module and
nothing else of the player.
"""

from player.errors import FontNotFound
from player.fonts import FontSet, find_fonts
from player.render import Frame, Rendering, ScreenProfile, render

__all__ = ["FontNotFound", "FontSet", "Frame", "Rendering", "ScreenProfile", "find_fonts", "render"]
