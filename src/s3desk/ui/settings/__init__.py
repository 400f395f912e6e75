"""Dialogs that change what s3desk works with: settings and accounts."""
