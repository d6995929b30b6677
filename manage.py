#!/usr/bin/env python
from amends.core.cli import main

if __name__ == "__main__":
    main()
