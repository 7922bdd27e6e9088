"""Pure domain logic: no Django, no I/O. A test enforces that nothing here imports Django."""
