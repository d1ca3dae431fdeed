"""The HTTP layer: Litestar routes that only translate between HTTP and the handlers/queries."""
