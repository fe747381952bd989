"""The outermost layer: the only one that knows HTTP, the command line and configuration."""
