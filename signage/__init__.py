"""The controller: Flask app, database, review workflow, API, CLI and scheduler."""
