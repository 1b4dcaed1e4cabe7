"""CLI commands, one module each; analytics.cli finds them here."""
