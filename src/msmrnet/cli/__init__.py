"""Command-line interface: thin handlers over the library."""
