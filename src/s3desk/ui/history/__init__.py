"""The History tab: the audit log as a searchable, exportable table."""
