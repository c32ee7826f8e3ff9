"""Emergencies: blackouts (一键关停) of screens from the controller, and official warnings."""
