"""CLI commands, one module per area. Each module exposes ``COMMANDS``, a list of click commands.

Modules import only click at the top; heavy imports go inside command bodies.
"""

COMMAND_MODULES = ("config", "schemas", "lists", "generate", "rules", "screen", "demo",
                   "report", "bench")
