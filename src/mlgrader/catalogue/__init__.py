"""The catalogue: challenge folders found on disk, candidate kits, mutants and validation."""
