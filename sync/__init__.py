"""Talking to Omnidesk: the REST client, the local sandbox, and plan/apply of the desired state."""
