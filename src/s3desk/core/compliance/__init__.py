"""What may be uploaded and how it is recorded: upload rules, type sniffing, content types,
the options every object carries, and the audit log."""
