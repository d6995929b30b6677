"""The answers app's forms, one module per part."""
