"""app: the FastAPI layer of digits (routes, schemas, settings, lifespan)."""
