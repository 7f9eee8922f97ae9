"""The board's pages: one module per subject (dashboard, assessment, ...)."""
