"""Pages of the assistance app, one module per domain: parse, gatekeep, call one service,
respond."""
