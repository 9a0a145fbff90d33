"""The fitted models shipped with cleaner, their pinned SHA-256 sums and their card."""
