"""The analytics window's built-in tabs, one module per tab (each exports its class as `TAB`).

`base` holds what every tab shares (`TabContext`, `AnalyticsTab`, the table helpers);
`record_view` is the Records tab's model and `prompt_check` the Patterns tab's prompt checker.
The window imports a tab's module the first time the tab is shown.
"""
from __future__ import annotations

# (title, module in this package), in notebook order.
BUILTIN_TABS = (("Overview", "overview"), ("Quality", "quality"), ("Failures", "failures"),
                ("Models", "models"), ("Parameters", "parameters"), ("Patterns", "patterns"),
                ("Records", "records"))

__all__ = ["BUILTIN_TABS"]
