#!/usr/bin/env python
"""Django's manage.py for development; deployments use the `iptriad` command instead."""

from iptriad.cli import main

if __name__ == "__main__":
    main()
