"""The Qt-free core: transfer engine, S3 access, scanning and error wording.

Nothing in this package may import Qt; an import-linter contract and a test enforce it,
so the CLI, the GUI and headless tests all drive the same code.
"""
