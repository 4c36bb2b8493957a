"""Technical building blocks every service reuses: settings, persistence, messaging, web, auth."""
