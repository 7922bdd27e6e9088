"""The group IPT pages, one module per part (set-up, members, sessions, programme counts), each owning its URLs."""
