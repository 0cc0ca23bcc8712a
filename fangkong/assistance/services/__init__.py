"""Write use cases of the assistance app, one module per domain: one transaction each,
audited, metrics bumped."""
