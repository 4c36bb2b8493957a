"""Authentication helpers of the service's own deployment."""
