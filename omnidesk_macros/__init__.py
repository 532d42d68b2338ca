"""omnidesk-macros: the standard replies of ООО «СКС» as versioned source.

Pipeline: load → validate → compile (Omnidesk macros and fields) → render (printable letters).
"""

__version__ = "0.1.0"
