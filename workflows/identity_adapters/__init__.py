"""Electronic ID adapters: see ``workflows.identity`` and docs/identity-adapters.md."""
