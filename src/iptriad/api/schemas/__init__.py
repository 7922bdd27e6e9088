"""Typed request and response bodies of the API, one module per resource; they parse and type, the services
decide what is valid (their messages come back as 422 field errors)."""
