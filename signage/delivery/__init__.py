"""Playlists on the controller: compile them for screens, cache them, serve them to players."""
