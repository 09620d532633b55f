"""The central server: FastAPI app, models, migrations, services and routes."""
