"""What the user and the organisation configured: settings, managed configuration, accounts
and their secrets, and the engine configuration derived from them. Loads no engine."""
