"""Pages of the community app, one module per domain: parse, gatekeep, call one service,
respond."""
