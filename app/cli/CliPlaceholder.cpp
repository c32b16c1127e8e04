// Replaced by the CLI commands.
