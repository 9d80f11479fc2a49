"""The web dashboard: static pages served at `/` that use only the public REST API."""
