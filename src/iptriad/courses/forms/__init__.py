"""Forms of the course, one module per part of the course."""
