"""Throughput, memory and start-up benchmark of cleaner beside the tools a user would pick."""
