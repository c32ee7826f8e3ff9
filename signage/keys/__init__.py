"""The controller's signing key: what players verify every playlist with."""
