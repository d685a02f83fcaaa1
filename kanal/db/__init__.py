"""Kanal's database backend: django-tenants' PostgreSQL backend with table
introspection that does not slow down as cities multiply (see introspection.py).
``ENGINE = "kanal.db"``."""
