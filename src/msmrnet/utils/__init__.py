"""Small shared helpers: atomic file writing, compressed-file reading, seeding, logging."""
