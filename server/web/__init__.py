"""The web console: server-rendered pages for caregivers, staff, volunteers and admins."""

from server.web.setup import install_web

__all__ = ["install_web"]
