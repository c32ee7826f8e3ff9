"""Evidence that holds: screen-signed display chains, refused events kept, signed checkpoints."""
