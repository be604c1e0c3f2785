"""The web app: pages, the JSON API under /api/, sign-in (FastAPI, Jinja2, HTMX)."""
