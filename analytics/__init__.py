"""Outlay analytics: the product's brain (no Streamlit here)."""
