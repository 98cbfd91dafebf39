"""What a release holds and what changed between two: section digests, `publish diff`."""
