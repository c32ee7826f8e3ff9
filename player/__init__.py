"""The screen player: polls its playlist, renders it at the screen's pixel size, shows it, and
logs every item it displayed.

Public surface: :class:`player.config.PlayerConfig`, :class:`player.client.ControllerClient`
(takes an injected ``requests.Session``), :func:`player.render.render`, the outputs of
:mod:`player.output`, and the errors of :mod:`player.errors`.
"""

__version__ = "0.1.0"
