"""Domain services: plain functions taking a SQLAlchemy session; routers stay thin."""
