"""The Qt layer: adapts the core's snapshots to models and signals. No S3 logic lives here."""
