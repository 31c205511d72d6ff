"""Templates per locale (Jinja2). French is complete and is the fallback."""
