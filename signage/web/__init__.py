"""The web pages: :mod:`signage.web.site` wires them (sign-in, CSRF, language, security headers,
error pages), :mod:`signage.web.pages` is what every page handler shares, and the dashboard lives
here; each area's pages are its own ``views.py``."""
