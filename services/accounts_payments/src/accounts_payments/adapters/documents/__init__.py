"""Document renderers (PDF, with fpdf2)."""
