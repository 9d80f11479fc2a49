"""tenlog server: gRPC servicers (transport) -> Log10 rules (domain) -> SQLAlchemy (storage)."""
