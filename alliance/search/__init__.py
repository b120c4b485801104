"""Japanese-aware search: one analyzer, one index, one search function for every caller."""
