"""What operators and load balancers ask of a controller process: probes and metrics."""
