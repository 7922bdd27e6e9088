"""Reads of group IPT, scoped by iptriad.groups.permissions, each a fixed number of queries whatever the size."""
