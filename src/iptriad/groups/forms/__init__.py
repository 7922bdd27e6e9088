"""The groups app's forms, one module per part of the app: setup, members, the session roster."""
