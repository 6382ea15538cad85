"""Resets are commands now; this module keeps the name older code imports.

``send_reset(target, reason="", user=None)`` is ``commands.send_command("reset", ...)``.
"""

from .commands import delivery_counts, is_settled, send_reset  # noqa: F401
