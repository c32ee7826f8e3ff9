"""Screen health: heartbeats, online/offline, outages, screenshots."""
