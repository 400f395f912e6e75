"""The installed s3desk's entry point (the PyInstaller spec builds the executables from it)."""

import multiprocessing
import sys

if __name__ == "__main__":
    # The transfer engine runs in a spawned child process. In an installed build that child
    # is this executable started again, and freeze_support() makes it the child.
    multiprocessing.freeze_support()
    from s3desk.cli import main

    sys.exit(main())
