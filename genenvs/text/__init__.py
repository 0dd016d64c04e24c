"""Text generation environments: TextGen-v0 (prompted English continuation) and TextOracle-v0.

Nothing is imported here, so registering the environments stays cheap; see
``genenvs.text.env`` (entry points), ``genenvs.text.rewards`` (scorers),
``genenvs.text.metrics`` (BLEU, Self-BLEU, ``oracle_metrics``) and docs/text.md.
"""
