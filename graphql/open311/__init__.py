"""Open311 GeoReport v2 on every city's host: services, service requests, tokens."""
