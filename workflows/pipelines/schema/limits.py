"""The limits on a pipeline and its source text, and the pattern its ids and keys follow."""

SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
MAX_STEPS = 30
MAX_CONDITION_DEPTH = 3
MAX_CONDITION_ITEMS = 10
MAX_SOURCE_CHARS = 100_000
MAX_NESTING = 32  # mappings and lists inside each other; a real pipeline needs about 12

# Passed as validation context to skip the cross-step rules: ``validate_pipeline`` reports them
# itself with paths, and ``load_plan`` trusts versions that were checked when they were saved.
SKIP_RULES = "skip_rules"
