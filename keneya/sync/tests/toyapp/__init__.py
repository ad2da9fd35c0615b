"""A toy domain app for the sync tests: a syncable type declared outside keneya/sync."""
