"""Shipped code-domain data (problems, Python vocabulary, the CodeDSL program prior) and the scripts that rebuild them."""
