"""Celery tasks: thin, they take an id and call a service."""
