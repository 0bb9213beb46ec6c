"""HTTP and WebSocket routes: thin adapters from the web to the services."""
