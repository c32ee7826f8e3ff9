"""The display log: what every screen showed, append-only and hash-chained per screen."""
