"""Transport layer: gRPC servicers and the HTTP gateway. No SQL here."""
