"""The five plans the demo imports (the teams' own documents, as they wrote them)."""
