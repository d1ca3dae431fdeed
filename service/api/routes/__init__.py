"""One module per resource of the Local API."""
