"""Supervisor reports: working-day calendar, daily roll-ups, compliance, counts, uptime."""
