"""The answers app's pages, thin: each reads one form and calls one service, one module per part."""
