"""Domain layer: the Log10 rules, validation and tag selection. Imports storage, never transport."""
