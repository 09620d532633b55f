"""The HTTP layer: thin routes, dependencies, error rendering and response schemas."""
