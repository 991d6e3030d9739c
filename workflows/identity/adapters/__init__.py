"""Electronic ID adapters: see ``workflows.identity.services`` and docs/identity-adapters.md."""
