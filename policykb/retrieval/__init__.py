"""Retrieval: what a question names (query.py) against what the library holds
(catalog.py), colloquial words in official terms (thesaurus.py), hybrid ranking (hybrid.py)."""
