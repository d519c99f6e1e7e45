"""HTTP routers, one per domain."""
