"""How the outside world reaches the service: HTTP controllers, message consumers, CLI."""
