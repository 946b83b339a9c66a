"""Storage, not API: the SQLite store, the journal (spool), the writer thread and the archive.

Callers outside the core go through `EnhancedPromptTracker`.
"""
