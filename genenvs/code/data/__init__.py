"""Shipped code-domain data (problems, Python vocabulary) and the scripts that rebuild them."""
