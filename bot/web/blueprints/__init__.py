"""The web app's parts as Sanic blueprints, one module per area (see /work/shared/architecture.md)."""
